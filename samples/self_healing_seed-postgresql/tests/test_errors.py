"""Every error is JSON with a ``detail`` and shows nothing of the internals."""

import re
from collections.abc import AsyncIterator, Callable

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError

from task_service.api.deps import get_sessionmaker
from task_service.core.db import make_engine, make_sessionmaker, warn_if_unavailable

UNREACHABLE_DATABASE_URL = "postgresql://nobody@127.0.0.1:9/nowhere"
# Put in the test database's URL: a database nobody created.
MISSING_DATABASE = "no_such_database"
# How the driver's reason for each begins, in the start-up warning.
UNREACHABLE_REASON = "[Errno "
MISSING_DATABASE_REASON = 'database "no_such_database" does not exist'
# None of these may ever reach a client.
INTERNALS = ("Traceback", 'File "', "sqlalchemy", "SELECT", "asyncpg", "secret")


def assert_plain_error(response: Response, status_code: int, detail: str) -> None:
    """The status, and the JSON body a client reads, word for word."""
    assert response.status_code == status_code
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": detail}
    leaked = [word for word in INTERNALS if word.lower() in response.text.lower()]
    assert leaked == [], f"the error shows internals: {response.text}"


def broken_sessionmaker() -> None:
    raise RuntimeError("secret: SELECT password FROM sqlalchemy_internals")


def unexpected_integrity_error() -> None:
    raise IntegrityError("SELECT secret", {}, Exception("sqlalchemy internals"))


@pytest.fixture
async def quiet_client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """Answers 500 where ``client`` would raise the app's exception into the test."""
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_unknown_route_is_404(client: AsyncClient, api_headers: dict[str, str]) -> None:
    response = await client.get("/api/v1/nothing-here", headers=api_headers)

    assert_plain_error(response, 404, "Not Found")


async def test_wrong_method_is_405_naming_the_allowed_ones(client: AsyncClient, api_headers: dict[str, str]) -> None:
    response = await client.put("/api/v1/projects/1", json={"name": "x"}, headers=api_headers)

    assert_plain_error(response, 405, "Method Not Allowed")
    assert response.headers["allow"] == "DELETE, GET, PATCH"


async def test_wrong_method_on_a_route_outside_the_document_is_405_naming_the_allowed_ones(client: AsyncClient) -> None:
    response = await client.post("/openapi.json")

    assert_plain_error(response, 405, "Method Not Allowed")
    assert sorted(response.headers["allow"].split(", ")) == ["GET", "HEAD"]


async def test_malformed_json_is_422(client: AsyncClient, api_headers: dict[str, str]) -> None:
    headers = api_headers | {"content-type": "application/json"}
    response = await client.post("/api/v1/projects", content=b'{"name": "unfinished', headers=headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_body_that_is_not_utf8_is_400(client: AsyncClient, api_headers: dict[str, str]) -> None:
    headers = api_headers | {"content-type": "application/json"}
    response = await client.post("/api/v1/projects", content=b'{"name": "\xff"}', headers=headers)

    assert_plain_error(response, 400, "There was an error parsing the body")


@pytest.mark.parametrize("failing", [broken_sessionmaker, unexpected_integrity_error], ids=["bug", "integrity-error"])
async def test_unexpected_error_is_a_plain_500(
    quiet_client: AsyncClient,
    app: FastAPI,
    api_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    failing: Callable[[], None],
) -> None:
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, failing)

    response = await quiet_client.get("/api/v1/projects", headers=api_headers)

    assert_plain_error(response, 500, "internal server error")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("GET", "/api/v1/projects"), ("POST", "/api/v1/projects"), ("DELETE", "/api/v1/projects/1")],
)
async def test_unreachable_database_is_503_with_retry_after(
    client: AsyncClient,
    app: FastAPI,
    api_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
) -> None:
    unreachable = make_sessionmaker(make_engine(UNREACHABLE_DATABASE_URL))
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, lambda: unreachable)

    response = await client.request(method, path, json={"name": "Offline"}, headers=api_headers)

    assert_plain_error(response, 503, "database unavailable")
    assert response.headers["retry-after"] == "5"
    # The operator's log says which request failed and what the driver said; the client never sees it.
    (record,) = [record for record in caplog.records if record.name == "task_service.api.errors"]
    assert record.levelname == "WARNING"
    assert re.fullmatch(rf"database unavailable during {method} {re.escape(path)}: \w+\(.+\)", record.getMessage())


async def test_a_database_that_does_not_exist_is_503(
    client: AsyncClient,
    app: FastAPI,
    api_headers: dict[str, str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server is there, the database is not."""
    missing = make_sessionmaker(make_engine(missing_database(database_url)))
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, lambda: missing)

    for response in (await client.get("/health"), await client.get("/api/v1/projects", headers=api_headers)):
        assert_plain_error(response, 503, "database unavailable")
        assert response.headers["retry-after"] == "5"
    logged = [record.getMessage() for record in caplog.records if record.name == "task_service.api.errors"]
    for path, line in zip(("/health", "/api/v1/projects"), logged, strict=True):
        assert re.fullmatch(rf"database unavailable during GET {path}: \w+\(.+\)", line), line


@pytest.mark.parametrize("unusable", ["no-server", "no-database"])
async def test_an_unusable_database_is_one_line_in_the_start_up_log(
    database_url: str, caplog: pytest.LogCaptureFixture, unusable: str
) -> None:
    url, reason = unusable_database(unusable, database_url)
    engine = make_engine(url)
    try:
        await warn_if_unavailable(engine, url)
    finally:
        await engine.dispose()

    (record,) = caplog.records
    tried = url.render_as_string(hide_password=True)
    assert record.levelname == "WARNING" and "\n" not in record.getMessage()
    assert record.getMessage().startswith(f"database unavailable at {tried}: {reason}")
    assert record.getMessage().endswith(" or correct DATABASE_URL")
    assert "secret" not in record.getMessage()


def unusable_database(unusable: str, database_url: str) -> tuple[URL, str]:
    """A URL the service cannot use, and how the driver's reason begins: no server there (the URL
    has a password, which the warning must not show), or the test server without the database."""
    if unusable == "no-server":
        return make_url(UNREACHABLE_DATABASE_URL).set(password="secret"), UNREACHABLE_REASON
    url = missing_database(database_url)
    return url, MISSING_DATABASE_REASON


def missing_database(database_url: str) -> URL:
    """The test database's URL with, in place of its database, one nobody created."""
    return make_url(database_url).set(database=MISSING_DATABASE)
