"""A generated service, run as users run it (``uvicorn <package>.main:app``), on each database.

When a database server refuses connections, hangs (accepts and never answers) or is cut off,
every request gets a JSON 503 with Retry-After within 10 s, and the service recovers by itself
once the server is back; a database that is missing or unreachable is one line from alembic and
from the start-up log; 30 parallel creates and 50 parallel reads all succeed; and schemathesis,
with all its checks, finds nothing wrong. The server faults come from a small TCP proxy in front
of the server (tests/service.py); what only one database can get wrong is tested in its folder,
``templates/databases/<name>/test_<name>.py``.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from .baking import DATABASES, SERVER_DATABASES, STRATEGIES, Baked, Cookies, bake, database_support, free_port
from .service import (
    API_KEY,
    BOUND,
    HEADERS,
    PROBES,
    SECRET,
    FaultyProxy,
    assert_one_line_when_unusable,
    assert_recovers,
    assert_unavailable,
    migrate,
    running_service,
)


@pytest.fixture(scope="module", params=DATABASES)
def project(request: pytest.FixtureRequest, cookies_session: Cookies) -> Baked:
    return bake(cookies_session, STRATEGIES[0], request.param)


@pytest.fixture(scope="module", params=SERVER_DATABASES)
def server_project(request: pytest.FixtureRequest, cookies_session: Cookies) -> Baked:
    return bake(cookies_session, STRATEGIES[0], request.param)


@pytest.fixture
def database_url(project: Baked, new_database: Callable[[str], str]) -> str:
    url = new_database(project.database)
    migrate(project, url)
    return url


@pytest.fixture
def server_url(server_project: Baked, new_database: Callable[[str], str]) -> str:
    url = new_database(server_project.database)
    migrate(server_project, url)
    return url


@pytest.fixture
def proxy(server_url: str) -> Iterator[FaultyProxy]:
    server = make_url(server_url)
    assert server.host and server.port, f"{server_url} names its host and port"
    proxy = FaultyProxy((server.host, server.port))
    yield proxy
    proxy.close()


def through(proxy: FaultyProxy, database_url: str) -> str:
    return make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def refused(project: Baked) -> str:
    """The project's kind of server URL, on a port where nothing listens."""
    server = make_url(database_support(project.database).server())
    return server.set(host="127.0.0.1", port=free_port(), password=SECRET).render_as_string(hide_password=False)


def test_a_refusing_server_is_503(server_project: Baked, tmp_path: Path) -> None:
    with running_service(server_project, refused(server_project), tmp_path / "log") as client:
        assert_unavailable(client)


def test_a_server_hanging_from_the_start_is_503_then_recovers(
    server_project: Baked, server_url: str, proxy: FaultyProxy, tmp_path: Path
) -> None:
    proxy.hang()
    with running_service(server_project, through(proxy, server_url), tmp_path / "log") as client:
        assert_unavailable(client)
        proxy.restore()
        assert_recovers(client)


def test_a_server_hanging_mid_use_is_503_then_recovers(
    server_project: Baked, server_url: str, proxy: FaultyProxy, tmp_path: Path
) -> None:
    with running_service(server_project, through(proxy, server_url), tmp_path / "log") as client:
        assert_recovers(client)
        proxy.hang()
        assert_unavailable(client)
        proxy.restore()
        assert_recovers(client)


def test_a_server_cut_then_restored_is_503_then_recovers(
    server_project: Baked, server_url: str, proxy: FaultyProxy, tmp_path: Path
) -> None:
    with running_service(server_project, through(proxy, server_url), tmp_path / "log") as client:
        assert_recovers(client)
        proxy.cut()
        assert_unavailable(client)
        proxy.restore()
        assert_recovers(client)


def test_a_missing_database_is_one_line_from_alembic_and_the_start_up_log(
    server_project: Baked, tmp_path: Path
) -> None:
    server = make_url(database_support(server_project.database).server())
    missing = server.set(database=f"missing_{time.monotonic_ns()}", password=SECRET)
    assert_one_line_when_unusable(server_project, missing.render_as_string(hide_password=False), tmp_path / "log")


def test_a_refusing_server_is_one_line_from_alembic_and_the_start_up_log(server_project: Baked, tmp_path: Path) -> None:
    assert_one_line_when_unusable(server_project, refused(server_project), tmp_path / "log")


def test_unmigrated_database_is_503_not_ok(project: Baked, new_database: Callable[[str], str], tmp_path: Path) -> None:
    with running_service(project, new_database(project.database), tmp_path / "log") as client:
        response = client.get("/health")
        assert (response.status_code, response.json()) == (
            503,
            {"detail": "database not migrated"},
        )
        assert_unavailable(client, PROBES[1:])


async def _in_parallel(base_url: str, requests: list[tuple[str, str, dict[str, object] | None]]) -> list[int]:
    limits = httpx.Limits(max_connections=len(requests))
    async with httpx.AsyncClient(base_url=base_url, headers=HEADERS, timeout=BOUND * 3, limits=limits) as client:
        responses = await asyncio.gather(*(client.request(method, path, json=body) for method, path, body in requests))
    return [response.status_code for response in responses]


def test_parallel_creates_and_reads_all_succeed(project: Baked, database_url: str, tmp_path: Path) -> None:
    with running_service(project, database_url, tmp_path / "log") as client:
        base_url = str(client.base_url)
        creates = [("POST", "/api/v1/projects", {"name": f"parallel {number}"}) for number in range(30)]
        assert asyncio.run(_in_parallel(base_url, creates)) == [201] * 30

        first = client.get("/api/v1/projects", params={"limit": 1}, headers=HEADERS).json()["items"][0]
        tasks = [("POST", f"/api/v1/projects/{first['id']}/tasks", {"title": f"task {n}"}) for n in range(30)]
        assert asyncio.run(_in_parallel(base_url, tasks)) == [201] * 30

        reads = [
            ("GET", "/api/v1/projects", None),
            ("GET", f"/api/v1/projects/{first['id']}/tasks", None),
        ] * 25
        assert asyncio.run(_in_parallel(base_url, reads)) == [200] * 50

        deletes = [("DELETE", f"/api/v1/projects/{first['id']}", None)] * 10
        assert sorted(asyncio.run(_in_parallel(base_url, deletes))) == [204] + [404] * 9


def test_schemathesis_with_all_checks_finds_nothing(project: Baked, database_url: str, tmp_path: Path) -> None:
    with running_service(project, database_url, tmp_path / "log") as client:
        result = subprocess.run(
            [
                project.tool("schemathesis"),
                "run",
                str(client.base_url.join("/openapi.json")),
                "--checks",
                "all",
                "--header",
                f"X-API-Key: {API_KEY}",
                "--max-examples",
                "40",
                "--seed",
                "20261125",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout
