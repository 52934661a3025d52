import pytest
from httpx import AsyncClient

PROTECTED = [
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects"),
    ("GET", "/api/v1/projects/1"),
    ("PATCH", "/api/v1/projects/1"),
    ("DELETE", "/api/v1/projects/1"),
    ("POST", "/api/v1/projects/1/tasks"),
    ("GET", "/api/v1/projects/1/tasks"),
    ("PATCH", "/api/v1/projects/1/tasks/1"),
]


@pytest.mark.ci_critical
@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[f"{method} {path}" for method, path in PROTECTED])
@pytest.mark.parametrize(
    "headers", [{}, {"X-API-Key": "wrong-key"}, {"X-API-Key": ""}], ids=["no-key", "wrong-key", "empty-key"]
)
async def test_api_requires_the_key(client: AsyncClient, method: str, path: str, headers: dict[str, str]) -> None:
    response = await client.request(method, path, json={"name": "x", "title": "x"}, headers=headers)

    assert response.status_code == 401
    assert response.json() == {"detail": "missing or invalid API key"}


async def test_the_right_key_is_accepted(client: AsyncClient, api_headers: dict[str, str]) -> None:
    response = await client.get("/api/v1/projects", headers=api_headers)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [b'{"name": "unfinished', b'{"name": ""}', b"[]", b"\xff"],
    ids=["malformed-json", "invalid-name", "wrong-shape", "not-utf8"],
)
async def test_the_key_is_checked_before_the_body(client: AsyncClient, body: bytes) -> None:
    """Callers without the key learn nothing about what the API expects."""
    response = await client.post("/api/v1/projects", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 401
    assert response.json() == {"detail": "missing or invalid API key"}
    assert response.headers["www-authenticate"] == "APIKey"
