"""A generated service run as users run it (``uvicorn <package>.main:app``), and the faults it must
weather: the harness of tests/test_hardening.py and of each database folder's own tests.

Everything listens on 127.0.0.1 only; server faults come from a small TCP proxy in front of the
database server (``FaultyProxy``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .baking import Baked, free_port

API_KEY = "hardening-test-key"
HEADERS = {"X-API-Key": API_KEY}
# What the contract promises: an answer within this many seconds, whatever the database does.
BOUND = 10.0
# The service under a fault: a read, a write and the health check.
PROBES = [("GET", "/health"), ("GET", "/api/v1/projects"), ("POST", "/api/v1/projects")]


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
def running_service(
    project: Baked, database_url: str, log: Path, *options: str, redis_url: str | None = None
) -> Iterator[httpx.Client]:
    """``uvicorn <package>.main:app`` on a free port (more uvicorn ``options`` if given), and a client on it.

    A project with Redis caches in ``redis_url`` (else in what its ``.env`` names).
    """
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "API_KEY": API_KEY}
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
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
                *options,
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
    """A TCP proxy on 127.0.0.1 in front of a server (a database, Redis) that can hang, be cut off and be restored.

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
            # shutdown first: a plain close leaves the connection open while a pump thread still reads it.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
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


SECRET = "hidden-secret"


def assert_one_line_when_unusable(project: Baked, url: str, log: Path) -> None:
    """``alembic upgrade head`` and the service's start-up log each say, in one line, that the
    database at ``url`` cannot be used: the URL tried (password hidden) and the fix, no traceback.
    Meanwhile the service answers 503."""
    migrated = project.run(project.tool("alembic"), "upgrade", "head", env={"DATABASE_URL": url})
    with running_service(project, url, log) as client:
        health = client.get("/health")

    assert migrated.returncode == 1
    assert len((migrated.stdout + migrated.stderr).strip().splitlines()) == 1, "alembic says nothing else"
    for output in (migrated.stdout + migrated.stderr, log.read_text()):
        said = [line for line in output.splitlines() if "database unavailable at" in line]
        assert len(said) == 1, output
        assert SECRET not in output and "Traceback" not in output, output
        assert " or correct DATABASE_URL" in said[0], "and the fix"
    assert health.status_code == 503
