"""A generated service with ``cache=redis``, run as users run it, when Redis refuses, hangs or is cut.

Every route still answers within 10 s with what the database holds (no 5xx), ``/health`` stays 200
and says the cache is unavailable, the log says so once; and once Redis is back the cache is used
again without a restart, and a rename made during the outage is what is read, not the entry from
before it. Redis faults come from the proxy of tests/service.py in front of the local Redis, on a
database index of this worker's own (tests/baking.py). The database is SQLite: its faults are
tests/test_hardening.py's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from .baking import REDIS_SERVER, STRATEGIES, Baked, Cookies, bake, free_port, redis_indexes
from .service import BOUND, HEADERS, FaultyProxy, migrate, running_service, wait_until

PROJECTS = "/api/v1/projects"
# How long the service leaves Redis alone after a failure (core/cache.py's RETRY_AFTER), with room.
BACK_WITHIN = 5.0 + BOUND


@pytest.fixture(scope="module")
def project(cookies_session: Cookies) -> Baked:
    return bake(cookies_session, STRATEGIES[0], "sqlite", cache="redis")


@pytest.fixture
def database_url(project: Baked, new_database: Callable[[str], str]) -> str:
    url = new_database(project.database)
    migrate(project, url)
    return url


@pytest.fixture
def cache(redis_server: None, worker_id: str) -> Iterator[Redis]:
    """The Redis database index the service caches in: this worker's second, emptied before and after."""
    with Redis.from_url(f"{REDIS_SERVER}/{redis_indexes(worker_id)[1]}") as client:
        client.flushdb()
        yield client
        client.flushdb()


@pytest.fixture
def proxy(cache: Redis) -> Iterator[FaultyProxy]:
    kwargs = cache.get_connection_kwargs()
    proxy = FaultyProxy((kwargs["host"], kwargs["port"]))
    yield proxy
    proxy.close()


def through(proxy: FaultyProxy, cache: Redis) -> str:
    return f"redis://127.0.0.1:{proxy.port}/{cache.get_connection_kwargs()['db']}"


def timed(client: httpx.Client, method: str, path: str, body: dict[str, object] | None = None) -> httpx.Response:
    started = time.monotonic()
    response = client.request(method, path, json=body, headers=HEADERS)
    seconds = time.monotonic() - started
    assert seconds < BOUND, f"{method} {path} took {seconds:.1f} s"
    assert response.status_code < 500, f"{method} {path}: {response.status_code} {response.text}"
    return response


def assert_every_route_answers_from_the_database(client: httpx.Client) -> None:
    """Every route, in the order a client uses them, each within the bound and right."""
    health = timed(client, "GET", "/health")
    assert (health.status_code, health.json()) == (200, {"status": "ok", "cache": "unavailable"})
    created = timed(client, "POST", PROJECTS, {"name": f"offline {time.monotonic_ns()}"})
    assert created.status_code == 201
    url = f"{PROJECTS}/{created.json()['id']}"
    assert timed(client, "GET", url).json() == created.json()
    assert timed(client, "GET", PROJECTS).status_code == 200
    renamed = timed(client, "PATCH", url, {"name": f"renamed {time.monotonic_ns()}"})
    assert renamed.status_code == 200
    assert timed(client, "GET", url).json() == renamed.json()
    task = timed(client, "POST", f"{url}/tasks", {"title": "write it"})
    assert task.status_code == 201
    assert timed(client, "GET", f"{url}/tasks").json()["total"] == 1
    assert timed(client, "PATCH", f"{url}/tasks/{task.json()['id']}", {"done": True}).json()["done"] is True
    assert timed(client, "DELETE", url).status_code == 204
    assert timed(client, "GET", url).status_code == 404


def assert_caching_again(client: httpx.Client, cache: Redis) -> None:
    """Without a restart: /health says the cache answers, and a read fills its entry."""
    wait_until(
        lambda: client.get("/health").json().get("cache") == "ok", within=BACK_WITHIN, what="the cache to be used again"
    )
    created = timed(client, "POST", PROJECTS, {"name": f"online {time.monotonic_ns()}"}).json()
    assert timed(client, "GET", f"{PROJECTS}/{created['id']}").json() == created
    assert json.loads(cache.get(f"project:{created['id']}") or b"{}") == created


def warnings(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if "Redis is unavailable" in line]


def test_with_redis_refusing_every_route_answers_from_the_database(
    project: Baked, database_url: str, redis_server: None, tmp_path: Path
) -> None:
    log = tmp_path / "log"
    with running_service(project, database_url, log, redis_url=f"redis://127.0.0.1:{free_port()}/0") as client:
        assert_every_route_answers_from_the_database(client)
        time.sleep(5.5)  # past the pause: Redis is tried again, and still refuses
        assert_every_route_answers_from_the_database(client)

    assert len(warnings(log)) == 1, log.read_text()
    assert "Traceback" not in log.read_text()


def test_with_redis_hanging_from_the_start_every_route_answers_then_the_cache_is_used_again(
    project: Baked, database_url: str, cache: Redis, proxy: FaultyProxy, tmp_path: Path
) -> None:
    log = tmp_path / "log"
    proxy.hang()
    with running_service(project, database_url, log, redis_url=through(proxy, cache)) as client:
        assert_every_route_answers_from_the_database(client)
        proxy.restore()
        assert_caching_again(client, cache)

    assert len(warnings(log)) == 1, log.read_text()


@pytest.mark.parametrize("fault", ["hang", "cut"])
def test_with_redis_lost_mid_use_a_change_made_meanwhile_is_what_is_read_once_it_is_back(
    project: Baked, database_url: str, cache: Redis, proxy: FaultyProxy, tmp_path: Path, fault: str
) -> None:
    log = tmp_path / "log"
    with running_service(project, database_url, log, redis_url=through(proxy, cache)) as client:
        created = timed(client, "POST", PROJECTS, {"name": f"cached {time.monotonic_ns()}"}).json()
        url = f"{PROJECTS}/{created['id']}"
        assert timed(client, "GET", url).json() == created
        assert cache.exists(f"project:{created['id']}"), "the read is cached"

        getattr(proxy, fault)()
        assert_every_route_answers_from_the_database(client)
        renamed = timed(client, "PATCH", url, {"name": f"renamed while away {time.monotonic_ns()}"}).json()
        assert timed(client, "GET", url).json() == renamed
        proxy.restore()
        assert_caching_again(client, cache)

        assert timed(client, "GET", url).json() == renamed, "not the entry from before the outage"
        assert json.loads(cache.get(f"project:{created['id']}") or b"{}") == renamed
    assert len(warnings(log)) == 1, log.read_text()
