{%- import "choices.j2" as c with context -%}
"""Every error is JSON with a ``detail`` and shows nothing of the internals."""

import re
{%- if c.sync %}
from collections.abc import Callable, Iterator
{%- else %}
from collections.abc import AsyncIterator, Callable
{%- endif %}

import pytest
from fastapi import FastAPI
{%- if c.sync %}
from fastapi.testclient import TestClient
from httpx2 import Response
{%- else %}
from httpx import ASGITransport, AsyncClient, Response
{%- endif %}
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.project_slug }}.api.deps import get_sessionmaker
from {{ cookiecutter.project_slug }}.core.db import make_engine, make_sessionmaker, warn_if_unavailable

UNREACHABLE_DATABASE_URL = "{{ c.database.unreachable_url }}"
{%- if c.database.dialect == "mariadb" %}
# Put after the test database's name in its URL: a database nobody created. A user whose grants cover
# only names like the test database's (GRANT ALL ON `svc\_%`.*) is told it is missing (1049); any
# other name would be refused (1044) before the server looked.
MISSING_DATABASE = "_{{ c.database.missing_database }}"
{%- else %}
# Put in the test database's URL: a database nobody created.
MISSING_DATABASE = "{{ c.database.missing_database }}"
{%- endif %}
# How the driver's reason for each begins, in the start-up warning{{ " (the missing database's name in the {})" if c.database.dialect == "mariadb" }}.
UNREACHABLE_REASON = {{ c.database.unreachable_reason }}
MISSING_DATABASE_REASON = {{ c.database.missing_database_reason }}
# None of these may ever reach a client.
INTERNALS = ("Traceback", 'File "', "sqlalchemy", "SELECT", "{{ c.database.async_driver.split('+')[1] }}", "secret")


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
{%- if c.sync %}
def quiet_client(app: FastAPI, client: TestClient) -> Iterator[TestClient]:
    """Answers 500 where ``client`` would raise the app's exception into the test (``client`` started the app)."""
    yield TestClient(app, raise_server_exceptions=False)
{%- else %}
async def quiet_client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """Answers 500 where ``client`` would raise the app's exception into the test."""
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
{%- endif %}


{{ c.adef }} test_unknown_route_is_404(client: {{ c.Client }}, api_headers: dict[str, str]) -> None:
    response = {{ c.aw }}client.get("/api/v1/nothing-here", headers=api_headers)

    assert_plain_error(response, 404, "Not Found")


{{ c.adef }} test_wrong_method_is_405_naming_the_allowed_ones(client: {{ c.Client }}, api_headers: dict[str, str]) -> None:
    response = {{ c.aw }}client.put("/api/v1/projects/1", json={"name": "x"}, headers=api_headers)

    assert_plain_error(response, 405, "Method Not Allowed")
    assert response.headers["allow"] == "DELETE, GET, PATCH"


{{ c.adef }} test_wrong_method_on_a_route_outside_the_document_is_405_naming_the_allowed_ones(client: {{ c.Client }}) -> None:
    response = {{ c.aw }}client.post("/openapi.json")

    assert_plain_error(response, 405, "Method Not Allowed")
    assert sorted(response.headers["allow"].split(", ")) == ["GET", "HEAD"]


{{ c.adef }} test_malformed_json_is_422(client: {{ c.Client }}, api_headers: dict[str, str]) -> None:
    headers = api_headers | {"content-type": "application/json"}
    response = {{ c.aw }}client.post("/api/v1/projects", content=b'{"name": "unfinished', headers=headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


{{ c.adef }} test_body_that_is_not_utf8_is_400(client: {{ c.Client }}, api_headers: dict[str, str]) -> None:
    headers = api_headers | {"content-type": "application/json"}
    response = {{ c.aw }}client.post("/api/v1/projects", content=b'{"name": "\xff"}', headers=headers)

    assert_plain_error(response, 400, "There was an error parsing the body")


@pytest.mark.parametrize("failing", [broken_sessionmaker, unexpected_integrity_error], ids=["bug", "integrity-error"])
{{ c.adef }} test_unexpected_error_is_a_plain_500(
    quiet_client: {{ c.Client }},
    app: FastAPI,
    api_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    failing: Callable[[], None],
) -> None:
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, failing)

    response = {{ c.aw }}quiet_client.get("/api/v1/projects", headers=api_headers)

    assert_plain_error(response, 500, "internal server error")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("GET", "/api/v1/projects"), ("POST", "/api/v1/projects"), ("DELETE", "/api/v1/projects/1")],
)
{{ c.adef }} test_unreachable_database_is_503_with_retry_after(
    client: {{ c.Client }},
    app: FastAPI,
    api_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
) -> None:
    unreachable = make_sessionmaker(make_engine(UNREACHABLE_DATABASE_URL))
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, lambda: unreachable)

    response = {{ c.aw }}client.request(method, path, json={"name": "Offline"}, headers=api_headers)

    assert_plain_error(response, 503, "database unavailable")
    assert response.headers["retry-after"] == "5"
    # The operator's log says which request failed and what the driver said; the client never sees it.
    (record,) = [record for record in caplog.records if record.name == "{{ cookiecutter.project_slug }}.api.errors"]
    assert record.levelname == "WARNING"
    assert re.fullmatch(rf"database unavailable during {method} {re.escape(path)}: \w+\(.+\)", record.getMessage())


{{ c.adef }} test_a_database_that_does_not_exist_is_503(
    client: {{ c.Client }},
    app: FastAPI,
    api_headers: dict[str, str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server is there, the database is not."""
    missing = make_sessionmaker(make_engine(missing_database(database_url)))
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, lambda: missing)

    for response in ({{ c.aw }}client.get("/health"), {{ c.aw }}client.get("/api/v1/projects", headers=api_headers)):
        assert_plain_error(response, 503, "database unavailable")
        assert response.headers["retry-after"] == "5"
    logged = [record.getMessage() for record in caplog.records if record.name == "{{ cookiecutter.project_slug }}.api.errors"]
    for path, line in zip(("/health", "/api/v1/projects"), logged, strict=True):
        assert re.fullmatch(rf"database unavailable during GET {path}: \w+\(.+\)", line), line


@pytest.mark.parametrize("unusable", ["no-server", "no-database"])
{% if c.sync -%}
def test_an_unusable_database_is_one_line_in_the_start_up_log(
    client: TestClient, database_url: str, caplog: pytest.LogCaptureFixture, unusable: str
) -> None:
    url, reason = unusable_database(unusable, database_url)
    engine = make_engine(url)
    # On the app's own event loop, which runs for the whole session, as the service's does.
    assert client.portal is not None
    try:
        client.portal.call(warn_if_unavailable, engine, url)
    finally:
        client.portal.call(engine.dispose)
{%- else -%}
async def test_an_unusable_database_is_one_line_in_the_start_up_log(
    database_url: str, caplog: pytest.LogCaptureFixture, unusable: str
) -> None:
    url, reason = unusable_database(unusable, database_url)
    engine = make_engine(url)
    try:
        await warn_if_unavailable(engine, url)
    finally:
        await engine.dispose()
{%- endif %}

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
{%- if c.database.dialect == "mariadb" %}
    return url, MISSING_DATABASE_REASON.format(url.database)
{%- else %}
    return url, MISSING_DATABASE_REASON
{%- endif %}


def missing_database(database_url: str) -> URL:
{%- if c.database.dialect == "mariadb" %}
    """The test database's URL with, in place of its database, one nobody created, named after it."""
    url = make_url(database_url)
    return url.set(database=f"{url.database}{MISSING_DATABASE}")
{%- else %}
    """The test database's URL with, in place of its database, one nobody created."""
    return make_url(database_url).set(database=MISSING_DATABASE)
{%- endif %}
