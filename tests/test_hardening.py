"""A generated service, run as users run it (``uvicorn <package>.main:app``), on each database.

When the database refuses connections, hangs (accepts and never answers) or is cut off,
every request gets a JSON 503 with Retry-After within 10 s, and the service recovers by
itself once the database is back; 30 parallel creates and 50 parallel reads all succeed;
and schemathesis, with all its checks, finds nothing wrong. Everything listens on
127.0.0.1 only; the faults come from a small TCP proxy in front of PostgreSQL, and from
a missing directory or a held write lock for SQLite.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from .baking import DATABASES, STRATEGIES, Baked, Cookies, bake, free_port

API_KEY = "hardening-test-key"
HEADERS = {"X-API-Key": API_KEY}
# What the contract promises: an answer within this many seconds, whatever the database does.
BOUND = 10.0
# The service under a fault: a read, a write and the health check.
PROBES = [("GET", "/health"), ("GET", "/api/v1/projects"), ("POST", "/api/v1/projects")]


def baked(cookies_session: Cookies, database: str) -> Baked:
    return bake(cookies_session, STRATEGIES[0], database)


@pytest.fixture(scope="module", params=DATABASES)
def project(request: pytest.FixtureRequest, cookies_session: Cookies) -> Baked:
    return baked(cookies_session, request.param)


# The fault scenarios differ per database: each has its own.
@pytest.fixture(scope="module")
def postgresql_project(cookies_session: Cookies) -> Baked:
    return baked(cookies_session, "postgresql")


@pytest.fixture(scope="module")
def sqlite_project(cookies_session: Cookies) -> Baked:
    return baked(cookies_session, "sqlite")


def migrate(project: Baked, database_url: str) -> None:
    result = project.run(
        project.tool("python"),
        "-m",
        "alembic",
        "upgrade",
        "head",
        env={"DATABASE_URL": database_url},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@contextmanager
def running_service(project: Baked, database_url: str, log: Path) -> Iterator[httpx.Client]:
    """``uvicorn <package>.main:app`` on a free port, and a client on it."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "API_KEY": API_KEY}
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                project.tool("python"),
                "-m",
                "uvicorn",
                f"{project.package}.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=project.path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        # A new connection per request: uvicorn closes idle ones, which would race with their reuse.
        fresh_connections = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=BOUND + 5,
            limits=fresh_connections,
        ) as client:
            wait_until(
                lambda: answers(client),
                within=20,
                what=f"uvicorn to start:\n{log.read_text()}",
            )
            yield client
    finally:
        process.terminate()
        process.wait(timeout=10)


def answers(client: httpx.Client) -> bool:
    try:
        return client.get("/openapi.json").status_code == 200
    except httpx.TransportError:
        return False


def wait_until(condition: Callable[[], bool], *, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def request(client: httpx.Client, method: str, path: str) -> tuple[httpx.Response, float]:
    body = {"name": f"probe {time.monotonic_ns()}"} if method == "POST" else None
    started = time.monotonic()
    response = client.request(method, path, json=body, headers=HEADERS)
    return response, time.monotonic() - started


def assert_unavailable(client: httpx.Client, probes: list[tuple[str, str]] = PROBES) -> None:
    """Each probe gets a JSON 503 that says no more than that, soon enough."""
    for method, path in probes:
        response, seconds = request(client, method, path)
        assert response.status_code == 503, f"{method} {path}: {response.status_code} {response.text}"
        assert response.headers["content-type"] == "application/json"
        assert response.json()["detail"] in {
            "database unavailable",
            "database not migrated",
        }
        assert 0 < int(response.headers["retry-after"]) <= 30
        assert seconds < BOUND, f"{method} {path} took {seconds:.1f} s"


def assert_recovers(client: httpx.Client) -> None:
    """Back to normal without a restart: health, a write and a read."""
    wait_until(
        lambda: client.get("/health").status_code == 200,
        within=BOUND,
        what="the service to recover",
    )
    created, _ = request(client, "POST", "/api/v1/projects")
    assert created.status_code == 201, created.text
    read = client.get(f"/api/v1/projects/{created.json()['id']}", headers=HEADERS)
    assert read.status_code == 200


class FaultyProxy:
    """A TCP proxy on 127.0.0.1 in front of the database that can hang, be cut off and be restored.

    ``hang()``: new connections are accepted and never answered, data on open ones is held.
    ``cut()``: every open connection is closed and new ones are closed at once.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.state = "forward"
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def hang(self) -> None:
        self.state = "hang"

    def cut(self) -> None:
        self.state = "down"
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            sock.close()

    def restore(self) -> None:
        self.state = "forward"

    def close(self) -> None:
        self.cut()
        self.listener.close()

    def _track(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.state == "down":
                client.close()
                continue
            self._track(client)
            if self.state == "hang":
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            self._track(server)
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while self.state == "hang":
                    time.sleep(0.05)
                if self.state == "down":
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            source.close()
            target.close()


@pytest.fixture
def database_url(project: Baked, new_database: Callable[[str], str]) -> str:
    url = new_database(project.database)
    migrate(project, url)
    return url


@pytest.fixture
def postgresql_url(postgresql_project: Baked, new_database: Callable[[str], str]) -> str:
    url = new_database("postgresql")
    migrate(postgresql_project, url)
    return url


@pytest.fixture
def proxy(postgresql_url: str) -> Iterator[FaultyProxy]:
    server = make_url(postgresql_url)
    proxy = FaultyProxy((server.host or "127.0.0.1", server.port or 5432))
    yield proxy
    proxy.close()


def through(proxy: FaultyProxy, database_url: str) -> str:
    return make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def test_postgresql_refusing_connections_is_503(postgresql_project: Baked, tmp_path: Path) -> None:
    with running_service(
        postgresql_project,
        f"postgresql://postgres@127.0.0.1:{free_port()}/none",
        tmp_path / "log",
    ) as client:
        assert_unavailable(client)


def test_postgresql_hanging_from_the_start_is_503_then_recovers(
    postgresql_project: Baked, postgresql_url: str, proxy: FaultyProxy, tmp_path: Path
) -> None:
    proxy.hang()
    with running_service(postgresql_project, through(proxy, postgresql_url), tmp_path / "log") as client:
        assert_unavailable(client)
        proxy.restore()
        assert_recovers(client)


def test_postgresql_hanging_mid_use_is_503_then_recovers(
    postgresql_project: Baked, postgresql_url: str, proxy: FaultyProxy, tmp_path: Path
) -> None:
    with running_service(postgresql_project, through(proxy, postgresql_url), tmp_path / "log") as client:
        assert_recovers(client)
        proxy.hang()
        assert_unavailable(client)
        proxy.restore()
        assert_recovers(client)


def test_postgresql_cut_then_restored_is_503_then_recovers(
    postgresql_project: Baked, postgresql_url: str, proxy: FaultyProxy, tmp_path: Path
) -> None:
    with running_service(postgresql_project, through(proxy, postgresql_url), tmp_path / "log") as client:
        assert_recovers(client)
        proxy.cut()
        assert_unavailable(client)
        proxy.restore()
        assert_recovers(client)


def test_sqlite_unreachable_file_is_503_then_recovers(sqlite_project: Baked, tmp_path: Path) -> None:
    path = tmp_path / "not-yet" / "service.sqlite3"
    with running_service(sqlite_project, f"sqlite:///{path}", tmp_path / "log") as client:
        assert_unavailable(client)
        path.parent.mkdir()
        migrate(sqlite_project, f"sqlite:///{path}")
        assert_recovers(client)


def test_sqlite_held_write_lock_is_503_for_writes_only_then_recovers(
    sqlite_project: Baked, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    database_url = new_database("sqlite")
    migrate(sqlite_project, database_url)
    with running_service(sqlite_project, database_url, tmp_path / "log") as client:
        assert_recovers(client)
        blocker = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            assert_unavailable(client, [("POST", "/api/v1/projects")])
            reads, _ = request(client, "GET", "/api/v1/projects")
            assert reads.status_code == 200, "readers must not wait for the writer"
        finally:
            blocker.rollback()
            blocker.close()
        assert_recovers(client)


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


SECRET = "hidden-secret"


def missing_databases(server: str) -> dict[str, tuple[str, str]]:
    """Databases a newcomer's URL might name that cannot be used, by case: (database, URL)."""
    missing = make_url(server).set(database=f"missing_{time.monotonic_ns()}", password=SECRET)
    return {
        "postgresql-missing": ("postgresql", missing.render_as_string(hide_password=False)),
        "postgresql-refused": ("postgresql", f"postgresql://app:{SECRET}@127.0.0.1:{free_port()}/app"),
        "sqlite-no-directory": ("sqlite", "sqlite:////nonexistent-directory/app.sqlite3"),
    }


@pytest.mark.parametrize("case", ["postgresql-missing", "postgresql-refused", "sqlite-no-directory"])
def test_an_unusable_database_is_one_line_from_alembic_and_from_the_start_up_log(
    request: pytest.FixtureRequest, postgres_admin_url: str, tmp_path: Path, case: str
) -> None:
    database, url = missing_databases(postgres_admin_url)[case]
    project: Baked = request.getfixturevalue(f"{database}_project")

    migrated = project.run(project.tool("alembic"), "upgrade", "head", env={"DATABASE_URL": url})
    with running_service(project, url, tmp_path / "log") as client:
        health = client.get("/health")
    log = (tmp_path / "log").read_text()

    assert migrated.returncode == 1
    for output in (migrated.stdout + migrated.stderr, log):
        said = [line for line in output.splitlines() if "database unavailable at" in line]
        assert len(said) == 1, output
        assert "***@" in said[0] or database == "sqlite", "the URL tried, password hidden"
        assert SECRET not in output and "Traceback" not in output, output
        assert " or correct DATABASE_URL" in said[0], "and the fix"
    assert len((migrated.stdout + migrated.stderr).strip().splitlines()) == 1, "alembic says nothing else"
    assert health.status_code == 503
