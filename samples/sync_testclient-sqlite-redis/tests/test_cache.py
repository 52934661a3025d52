"""The cache of single-project reads (core.cache): used, forgotten by every write that changes what
it holds, and never in the way: a Redis that refuses or hangs costs a request its timeout, not an
answer."""

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from redis import Redis
from sqlalchemy import update
from sqlalchemy.orm import Session

from task_service.core.cache import ProjectCache, make_redis, project_key
from task_service.models import ID_MAX, Project
from task_service.schemas import ProjectRead

from .cache import RedisUnavailable, check, worker_url
from .factories import MakeProject

NameFactory = Callable[[str], str]
PROJECTS = "/api/v1/projects"
# How long the app waits for a Redis that is away, in these tests (the service's default is longer).
AWAY_TIMEOUT = 0.2


def test_a_read_fills_the_cache_and_the_cache_answers(
    client: TestClient, api_headers: dict[str, str], redis: Redis, make_project: MakeProject
) -> None:
    project = make_project()
    key = project_key(project.id)
    assert redis.get(key) is None

    read = client.get(f"{PROJECTS}/{project.id}", headers=api_headers)

    assert read.status_code == 200
    cached = redis.get(key)
    assert cached is not None
    assert ProjectRead.model_validate_json(cached) == ProjectRead.model_validate(read.json())
    # What the cache holds is what the service answers.
    redis.set(key, ProjectRead.model_validate({**read.json(), "name": "From the cache"}).model_dump_json())
    assert client.get(f"{PROJECTS}/{project.id}", headers=api_headers).json()["name"] == "From the cache"


def test_a_change_is_read_back_at_once(
    client: TestClient, api_headers: dict[str, str], redis: Redis, unique_name: NameFactory
) -> None:
    project = client.post(PROJECTS, json={"name": unique_name("Draft")}, headers=api_headers).json()
    url = f"{PROJECTS}/{project['id']}"
    assert client.get(url, headers=api_headers).json() == project
    assert redis.exists(project_key(project["id"]))

    changes = {"name": unique_name("Final"), "description": "Renamed"}
    changed = client.patch(url, json=changes, headers=api_headers)

    assert changed.status_code == 200
    assert client.get(url, headers=api_headers).json() == {**project, **changes}


def test_a_deleted_project_is_gone_at_once(
    client: TestClient, api_headers: dict[str, str], redis: Redis, make_project: MakeProject
) -> None:
    project = make_project()
    url = f"{PROJECTS}/{project.id}"
    assert client.get(url, headers=api_headers).status_code == 200

    assert client.delete(url, headers=api_headers).status_code == 204

    assert client.get(url, headers=api_headers).status_code == 404
    assert not redis.exists(project_key(project.id))


def test_a_write_through_db_session_is_seen_once_its_cached_read_is_deleted(
    client: TestClient,
    api_headers: dict[str, str],
    redis: Redis,
    db_session: Session,
    make_project: MakeProject,
    unique_name: NameFactory,
) -> None:
    """The service forgets what it writes itself; a test that writes behind its back deletes the entry."""
    before, after = unique_name("Before"), unique_name("After")
    project = make_project(name=before)
    url = f"{PROJECTS}/{project.id}"
    assert client.get(url, headers=api_headers).json()["name"] == before

    db_session.execute(update(Project).where(Project.id == project.id).values(name=after))
    db_session.commit()
    assert client.get(url, headers=api_headers).json()["name"] == before

    redis.delete(project_key(project.id))
    assert client.get(url, headers=api_headers).json()["name"] == after


@pytest.mark.parametrize("turn", ["one", "another"])
def test_a_test_never_reads_a_project_another_test_cached(
    client: TestClient, api_headers: dict[str, str], redis: Redis, unique_name: NameFactory, turn: str
) -> None:
    """Whichever runs second may be handed the id the first one had (SQLite hands ids out again once
    their rows are rolled back or deleted): its read must not come from the first one's cache."""
    assert redis.dbsize() == 0, "Redis holds none of another test's keys"
    name = unique_name(turn)
    created = client.post(PROJECTS, json={"name": name}, headers=api_headers).json()

    read = client.get(f"{PROJECTS}/{created['id']}", headers=api_headers)

    assert read.json() == created
    assert ProjectRead.model_validate_json(redis.get(project_key(created["id"])) or b"{}").name == name


@pytest.mark.parametrize("turn", ["one", "another"])
def test_keys_a_test_wrote_with_its_own_client_are_gone_before_the_next(redis_url: str, turn: str) -> None:
    """Not only what goes through the app or ``redis`` is deleted after a test: the whole index is."""
    with Redis.from_url(redis_url) as own:
        assert own.dbsize() == 0, "Redis holds none of another test's keys"
        own.set(f"written by {turn}", turn)


def test_concurrent_reads_and_writes_leave_no_stale_entry(
    client: TestClient, api_headers: dict[str, str], redis: Redis, unique_name: NameFactory
) -> None:
    """Reads racing a rename never put the old name back in the cache after the rename committed."""
    project = client.post(PROJECTS, json={"name": unique_name("Race")}, headers=api_headers).json()
    url = f"{PROJECTS}/{project['id']}"
    for round_ in range(5):
        name = unique_name(f"Race {round_}")
        redis.delete(project_key(project["id"]))  # the reads miss, and race the rename to fill
        with ThreadPoolExecutor(max_workers=5) as pool:
            reads = [pool.submit(client.get, url, headers=api_headers) for _ in range(4)]
            rename = pool.submit(client.patch, url, json={"name": name}, headers=api_headers)
        responses = [rename.result(), *(read.result() for read in reads)]

        assert [response.status_code for response in responses] == [200] * 5
        assert client.get(url, headers=api_headers).json()["name"] == name
        cached = redis.get(project_key(project["id"]))
        assert cached is None or ProjectRead.model_validate_json(cached).name == name


def test_a_read_that_raced_a_write_does_not_put_back_what_the_write_replaced(redis_url: str) -> None:
    """The read found no entry and read the database; the write committed and forgot the project;
    only then does the read fill: the fill is dropped. (The service's client is async: so is this.)"""

    async def race() -> int:
        client = make_redis(redis_url)
        try:
            cache = ProjectCache(client)
            stale = ProjectRead(id=ID_MAX, name="Before the write", description=None, created_at=datetime.now(UTC))

            async def read_while_a_write_commits() -> ProjectRead:
                await cache.forget(ID_MAX)
                return stale

            assert await cache.project(ID_MAX, read_while_a_write_commits) == stale
            return await client.exists(project_key(ID_MAX))
        finally:
            await client.aclose()

    assert asyncio.run(race()) == 0, "no entry"


@pytest.fixture(params=["refused", "hung"])
def redis_away(request: pytest.FixtureRequest, app: FastAPI, client: TestClient) -> Iterator[None]:
    """The app's cache on a Redis that refuses connections, or accepts them and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        if request.param == "refused":
            listener.close()
        away = ProjectCache(make_redis(url, timeout=AWAY_TIMEOUT))
        original, app.state.cache = app.state.cache, away
        yield
        app.state.cache = original
        assert client.portal is not None
        client.portal.call(away.redis.aclose)


@pytest.mark.usefixtures("redis_away")
def test_without_redis_every_route_answers_from_the_database(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    created = client.post(PROJECTS, json={"name": unique_name("Offline")}, headers=api_headers)
    url = f"{PROJECTS}/{created.json()['id']}"
    read = client.get(url, headers=api_headers)
    renamed = client.patch(url, json={"name": unique_name("Renamed")}, headers=api_headers)
    read_again = client.get(url, headers=api_headers)
    health = client.get("/health")
    deleted = client.delete(url, headers=api_headers)
    gone = client.get(url, headers=api_headers)

    assert [created.status_code, read.status_code, renamed.status_code, read_again.status_code] == [201, 200, 200, 200]
    assert read.json() == created.json()
    assert read_again.json() == renamed.json()
    assert (health.status_code, health.json()) == (200, {"status": "ok", "cache": "unavailable"})
    assert (deleted.status_code, gone.status_code) == (204, 404)
    assert time.monotonic() - started < 5, "only the first call waits for Redis; then it is left alone for a while"
    warnings = [record.getMessage() for record in caplog.records if record.name.endswith("core.cache")]
    assert len(warnings) == 1 and warnings[0].startswith("Redis is unavailable, serving from the database"), warnings


def test_each_xdist_worker_gets_its_own_index_counted_up_from_test_redis_url() -> None:
    assert worker_url("redis://cache:6379/4", "master") == "redis://cache:6379/4"
    assert [worker_url("redis://cache:6379/4", f"gw{n}") for n in range(3)] == [
        "redis://cache:6379/4",
        "redis://cache:6379/5",
        "redis://cache:6379/6",
    ]
    assert worker_url("redis://:secret@cache:6379?protocol=3", "gw2") == "redis://:secret@cache:6379/2?protocol=3"


def test_more_workers_than_the_server_has_indexes_is_one_line(redis_url: str) -> None:
    with pytest.raises(RedisUnavailable, match=r"has no database \d+ .*: run fewer xdist workers") as refused:
        check(redis_url, workers=100_000)

    assert "\n" not in str(refused.value)


def test_a_test_redis_that_cannot_be_reached_is_one_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    with pytest.raises(RedisUnavailable, match=rf"cannot reach the test Redis at redis://127.0.0.1:{port} ") as refused:
        check(f"redis://127.0.0.1:{port}/0", workers=2)

    assert "docker compose up -d redis-test" in str(refused.value) and "\n" not in str(refused.value)
