"""Test fixtures for the pragmatic strategy.

The app runs as in production against a real database whose schema comes from the
migrations. Nothing is rolled back or cleaned between tests: data accumulates, so
every test creates what it needs under a unique name and only looks at its own rows
(``unique_name``, ``q=``).

The cache accumulates the same way: the reads tests cached stay in this worker's Redis index
for the run (each for its TTL). That is safe because nothing is rolled back or deleted here, so
an id is never handed out twice within a run and a cached read always belongs to its own row;
every run starts with the index emptied, and ends with it emptied.
"""

import os
from collections.abc import AsyncIterator, Callable, Iterator
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from filelock import FileLock
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from task_service.core.cache import make_redis
from task_service.core.config import Settings
from task_service.core.db import make_engine, make_sessionmaker
from task_service.main import create_app

from . import cache, database
from .support import in_own_thread, migrate

# Your domain's test data: its factories and the fixtures that make rows with them.
pytest_plugins = ["tests.factories"]

API_KEY = "test-api-key"
# The `db-test` service of docker-compose.yml; override with TEST_DATABASE_URL.
DEFAULT_TEST_DATABASE_URL = "postgresql://postgres:postgres@127.0.0.1:5433/test"
# The `redis-test` service of docker-compose.yml; override with TEST_REDIS_URL.
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6380/0"


def set_up_database(database_url: str) -> None:
    """Build the schema the way production does (once per run, before xdist workers copy the database)."""
    migrate(database_url)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist, check the test database and Redis once, here: one clear message instead of one per worker."""
    distributed = getattr(session.config.option, "numprocesses", None)
    base = os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL
    if distributed and base and not hasattr(session.config, "workerinput"):
        try:
            in_own_thread(database.check, base)
        except database.DatabaseUnavailable as exc:
            pytest.exit(str(exc), returncode=pytest.ExitCode.USAGE_ERROR)
    if distributed and not hasattr(session.config, "workerinput"):
        try:
            cache.check(os.environ.get("TEST_REDIS_URL") or DEFAULT_TEST_REDIS_URL, workers=int(distributed))
        except cache.RedisUnavailable as exc:
            pytest.exit(str(exc), returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """The test database, set up once; under pytest-xdist, this worker's own copy of it, discarded at the end."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    base = os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL
    ready = shared / "test-database.ready"
    with FileLock(shared / "test-database.lock"):
        # The first process here sets the database up; under pytest-xdist the others only copy it.
        set_up = None if ready.exists() else set_up_database
        try:
            url = in_own_thread(database.prepare, base, worker_id, set_up)
        except database.DatabaseUnavailable as exc:
            pytest.exit(str(exc), returncode=pytest.ExitCode.USAGE_ERROR)
        ready.touch()
    yield url
    in_own_thread(database.discard, url, worker_id)


@pytest.fixture(scope="session")
def redis_url(worker_id: str) -> Iterator[str]:
    """This worker's own database index on the test Redis (tests/cache.py), emptied when the run starts and ends."""
    try:
        url = cache.prepare(cache.worker_url(os.environ.get("TEST_REDIS_URL") or DEFAULT_TEST_REDIS_URL, worker_id))
    except cache.RedisUnavailable as exc:
        pytest.exit(str(exc), returncode=pytest.ExitCode.USAGE_ERROR)
    yield url
    cache.discard(url)


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str) -> Settings:
    return Settings(database_url=database_url, api_key=SecretStr(API_KEY), redis_url=redis_url)


@pytest.fixture
def api_headers() -> dict[str, str]:
    return {"X-API-Key": API_KEY}


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Names no other test (or earlier run) uses, so tests never collide on shared data."""
    return lambda prefix: f"{prefix} {uuid4().hex[:12]}"


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.database_url, check_connections=False)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine, redis_client: Redis) -> AsyncIterator[FastAPI]:
    """The service, built and started (lifespan run) once for the whole session, on the tests' engine and Redis."""
    app = create_app(settings, engine, redis_client)
    async with LifespanManager(app):
        yield app


@pytest.fixture(scope="session")
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    """The app's Redis client, on this worker's index; the tests own it, as they own the engine."""
    client = make_redis(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def redis(redis_client: Redis) -> Redis:
    """The Redis client the app uses, for arranging and asserting what the cache holds."""
    return redis_client


@pytest.fixture
async def db_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """Each statement on its own (autocommit), so every read sees what the app has committed by then."""
    async with make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))() as session:
        yield session


@pytest.fixture(scope="session")
async def started_client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """One HTTP client on the started app for the whole session: ``client`` hands it to each test."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
def client(started_client: AsyncClient) -> Iterator[AsyncClient]:
    """An HTTP client on the started app; cookies do not outlive the test."""
    yield started_client
    started_client.cookies.clear()
