"""Input the database could not take is refused at the edge, with a 4xx, before the database is asked."""

import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from task_service.api.body_limit import MAX_BODY_SIZE
from task_service.schemas import WHITESPACE

NameFactory = Callable[[str], str]
# Ids outside the 32-bit INTEGER column, and things that are no ids at all.
BAD_IDS = [0, -1, 2**31, 2**63, 10**30, "abc", "1.5"]
ID_ROUTES = [
    ("GET", "/api/v1/projects/{}"),
    ("PATCH", "/api/v1/projects/{}"),
    ("DELETE", "/api/v1/projects/{}"),
    ("GET", "/api/v1/projects/{}/tasks"),
    ("POST", "/api/v1/projects/{}/tasks"),
    ("PATCH", "/api/v1/projects/1/tasks/{}"),
]
# Text no database stores: NUL characters.
UNSTORABLE = ["\x00", "nul \x00 inside"]


@pytest.fixture
def project(client: TestClient, api_headers: dict[str, str], unique_name: NameFactory) -> dict[str, Any]:
    response = client.post("/api/v1/projects", json={"name": unique_name("Limits")}, headers=api_headers)
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(("method", "route"), ID_ROUTES, ids=[f"{method} {route}" for method, route in ID_ROUTES])
def test_ids_out_of_range_are_not_found_or_invalid(
    client: TestClient, api_headers: dict[str, str], method: str, route: str, bad_id: object
) -> None:
    body = {"name": "Fine", "title": "Fine"}
    response = client.request(method, route.format(bad_id), json=body, headers=api_headers)

    assert response.status_code in (404, 422)
    assert response.json()["detail"]


# The same id, written as lenient parsing would still read it.
RESPELLED = {"plus": "+{}", "zero": "0{}", "point": "{}.0", "space": " {}", "trailing": "{} "}


@pytest.mark.parametrize("spelling", RESPELLED.values(), ids=RESPELLED.keys())
def test_a_project_has_one_url_its_id_other_ways_written_is_422(
    client: TestClient, api_headers: dict[str, str], project: dict[str, Any], spelling: str
) -> None:
    """Lenient parsing would take `/projects/+3` or `/projects/3.0` for project 3."""
    response = client.get(f"/api/v1/projects/{spelling.format(project['id'])}", headers=api_headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "project_id"]


@pytest.mark.parametrize(
    "params",
    [
        {"offset": 2**31},
        {"offset": 2**63},
        {"offset": 10**30},
        {"limit": 2**63},
        {"offset": "1e3"},
        {"offset": " 1"},
        {"limit": "+5"},
    ],
    ids=["offset-2^31", "offset-2^63", "offset-huge", "limit-2^63", "offset-float", "offset-space", "limit-plus"],
)
def test_paging_out_of_range_or_not_plain_digits_is_422(
    client: TestClient, api_headers: dict[str, str], project: dict[str, Any], params: dict[str, int | str]
) -> None:
    for url in ("/api/v1/projects", f"/api/v1/projects/{project['id']}/tasks"):
        response = client.get(url, params=params, headers=api_headers)
        assert response.status_code == 422, url


@pytest.mark.parametrize("text", UNSTORABLE, ids=["nul", "nul-inside"])
def test_unstorable_characters_are_422_in_every_text_field(
    client: TestClient, api_headers: dict[str, str], project: dict[str, Any], text: str
) -> None:
    project_url = f"/api/v1/projects/{project['id']}"
    task = client.post(f"{project_url}/tasks", json={"title": "Plain"}, headers=api_headers).json()
    attempts = [
        ("POST", "/api/v1/projects", {"name": text}),
        ("POST", "/api/v1/projects", {"name": "Fine", "description": text}),
        ("PATCH", project_url, {"name": text}),
        ("PATCH", project_url, {"description": text}),
        ("POST", f"{project_url}/tasks", {"title": text}),
        ("PATCH", f"{project_url}/tasks/{task['id']}", {"title": text}),
    ]
    for method, url, body in attempts:
        response = client.request(method, url, json=body, headers=api_headers)
        assert response.status_code == 422, (method, url, body)

    listed = client.get("/api/v1/projects", params={"q": text}, headers=api_headers)
    assert listed.status_code == 422


def test_lone_surrogate_is_422_with_valid_json(client: TestClient, api_headers: dict[str, str]) -> None:
    headers = api_headers | {"content-type": "application/json"}
    response = client.post("/api/v1/projects", content=b'{"name": "half \\ud800 a pair"}', headers=headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [(b"NaN", "nan"), (b"Infinity", "inf"), (b"-Infinity", "-inf"), (b"1e999", "inf"), (b"1.5", 1.5)],
    ids=["nan", "infinity", "minus-infinity", "too-big-for-a-float", "finite"],
)
def test_numbers_json_cannot_hold_are_echoed_as_text_in_the_422(
    client: TestClient, api_headers: dict[str, str], sent: bytes, echoed: object
) -> None:
    """Python's JSON parser reads NaN, Infinity and numbers too big for a float, which JSON has no
    way to write back: the 422 names them as text, in compact JSON like every other response."""
    headers = api_headers | {"content-type": "application/json"}
    response = client.post("/api/v1/projects", content=b'{"name": ' + sent + b"}", headers=headers)

    assert response.status_code == 422
    error = {"type": "string_type", "loc": ["body", "name"], "msg": "Input should be a valid string", "input": echoed}
    assert response.json() == {"detail": [error]}
    assert response.content == json.dumps(response.json(), separators=(",", ":")).encode()


def test_a_number_not_in_plain_digits_is_422_saying_so(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.get("/api/v1/projects", params={"limit": "+3"}, headers=api_headers)

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["msg"], error["input"]) == (
        ["query", "limit"],
        "Value error, must be an integer in plain decimal digits",
        "+3",
    )


@pytest.mark.parametrize(
    "body",
    [{"name": 5}, {"name": ["x"]}, {"name": "Fine", "description": 5}],
    ids=["number-name", "list-name", "number-description"],
)
def test_wrong_types_are_422(client: TestClient, api_headers: dict[str, str], body: dict[str, object]) -> None:
    response = client.post("/api/v1/projects", json=body, headers=api_headers)

    assert response.status_code == 422


@pytest.mark.parametrize("done", ["yes", "true", 1, 0], ids=["yes", "true-string", "one", "zero"])
def test_done_must_be_a_json_boolean(
    client: TestClient, api_headers: dict[str, str], project: dict[str, Any], done: object
) -> None:
    response = client.post(
        f"/api/v1/projects/{project['id']}/tasks", json={"title": "Strict", "done": done}, headers=api_headers
    )

    assert response.status_code == 422


def test_a_body_of_exactly_the_limit_is_taken(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    empty = json.dumps({"name": unique_name("At the limit"), "description": ""}).encode()
    body = empty.replace(b'""', b'"' + b"x" * (MAX_BODY_SIZE - len(empty)) + b'"')
    headers = api_headers | {"content-type": "application/json"}
    response = client.post("/api/v1/projects", content=body, headers=headers)

    assert (len(body), response.status_code) == (MAX_BODY_SIZE, 201)


def test_oversized_body_is_413(client: TestClient, api_headers: dict[str, str]) -> None:
    body = {"name": "Big", "description": "x" * 100_000}
    response = client.post("/api/v1/projects", json=body, headers=api_headers)

    assert response.status_code == 413
    assert response.json() == {"detail": "Content Too Large"}


def test_oversized_body_sent_in_chunks_is_413(client: TestClient, api_headers: dict[str, str]) -> None:
    """No Content-Length to go by: the bytes are counted as they arrive."""

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "Big", "description": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    headers = api_headers | {"content-type": "application/json"}
    response = client.post("/api/v1/projects", content=chunks(), headers=headers)

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == {"detail": "Content Too Large"}


def test_any_other_unicode_is_stored_as_given(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    body = {"name": unique_name("Ünïcødé ✓ 名前 🚀\t"), "description": "é\n\u200b"}
    response = client.post("/api/v1/projects", json=body, headers=api_headers)

    assert response.status_code == 201
    stored = client.get(f"/api/v1/projects/{response.json()['id']}", headers=api_headers).json()
    assert (stored["name"], stored["description"]) == (body["name"], body["description"])


def test_the_whitespace_the_document_names_is_what_str_strip_removes() -> None:
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))

    assert re.findall(f"[{WHITESPACE}]", every_character) == [char for char in every_character if char.isspace()]
