"""Test fixtures for the self-healing seed strategy.

Once per test run, ``set_up_database`` migrates the schema and, if the database held no
rows, runs the project's own seeder (``python -m task_service.seed``) in a
subprocess, so the suite heals a fresh or wiped database by itself. Tests may rely on the
seeded baseline: every row of every table after seeding, read from the database (the tables
you add, and whatever your seeder puts in them, included). Whatever a test creates is deleted
after it; a test that changes the baseline fails, and the baseline is put back for the next.
Whatever a test put in Redis is deleted after it too (``empty_cache``: an autouse FLUSHDB of
this worker's own index).
"""

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from filelock import FileLock
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import Connection, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from task_service.core.cache import make_redis
from task_service.core.config import Settings
from task_service.core.db import make_engine, make_sessionmaker
from task_service.main import create_app

from . import cache, database
from .support import in_own_thread, migrate
from .tables import Rows, delete_rows, insert_rows, read_rows, read_tables

# Your domain's test data: its factories and the fixtures that make rows with them.
pytest_plugins = ["tests.factories"]

API_KEY = "test-api-key"
# The `db-test` service of docker-compose.yml; override with TEST_DATABASE_URL.
DEFAULT_TEST_DATABASE_URL = "mariadb://root@127.0.0.1:3307/test"
# The `redis-test` service of docker-compose.yml; override with TEST_REDIS_URL.
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6380/0"
SEEDER = [sys.executable, "-m", "task_service.seed"]


def run_seeder(database_url: str) -> None:
    """Run the seeder as its own process, with this environment, and stop everything if it fails."""
    try:
        subprocess.run(  # noqa: S603 - our own module, run with this interpreter
            SEEDER,
            env={**os.environ, "DATABASE_URL": database_url},
            cwd=Path(__file__).resolve().parents[1],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as exc:
        pytest.exit(f"the seeder failed (exit {exc.returncode}):\n{exc.stdout}{exc.stderr}", returncode=1)


def holds_no_rows(connection: Connection) -> bool:
    """No table (but alembic's) has a row: a new database, or one wiped clean."""
    return not any(connection.execute(select(table).limit(1)).first() for table in read_tables(connection))


async def is_empty(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(holds_no_rows)
    finally:
        await engine.dispose()


def set_up_database(database_url: str) -> None:
    """Migrate, and seed if the database held no rows (once per run, before xdist workers copy it).

    Emptiness is judged before migrating, so rows your migrations insert (reference data) do not
    make a new database look seeded.
    """
    empty = asyncio.run(is_empty(database_url))
    migrate(database_url)
    if empty:
        print("test database is empty: running the seeder")
        run_seeder(database_url)


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


@pytest.fixture(autouse=True)
async def empty_cache(redis_client: Redis) -> AsyncIterator[None]:
    """After every test, delete every key of this worker's index (one FLUSHDB), whoever wrote them:
    the app, ``redis``, or a client the test made itself."""
    yield
    await redis_client.flushdb()


@pytest.fixture
def redis(redis_client: Redis) -> Redis:
    """The Redis client the app uses, for arranging and asserting what the cache holds."""
    return redis_client


@dataclass(frozen=True)
class Baseline:
    """The seeded database: its tables (parents first) and every row of each."""

    tables: list[Table]
    rows: Rows

    def keep(self, connection: Connection) -> bool:
        """Delete every row the baseline does not have (children first); whether the seeded ones were untouched.

        If they were not, they are put back as seeded, so one test's mistake fails that test alone.
        """
        delete_rows(connection, self.tables, keep=self.rows)
        if read_rows(connection, self.tables) == self.rows:
            return True
        delete_rows(connection, self.tables)
        insert_rows(connection, self.tables, self.rows)
        return False


def read_baseline(connection: Connection) -> Baseline:
    tables = read_tables(connection)
    return Baseline(tables, read_rows(connection, tables))


@pytest.fixture(scope="session")
async def baseline(engine: AsyncEngine) -> Baseline:
    """The seeded rows of every table, read once per session."""
    async with engine.connect() as connection:
        return await connection.run_sync(read_baseline)


@pytest.fixture(autouse=True)
def seeded_baseline(request: pytest.FixtureRequest) -> None:
    """Integration tests keep the seeded baseline (``baseline_kept``); unit tests need no database."""
    if request.node.get_closest_marker("integration") is not None:
        request.getfixturevalue("baseline_kept")


@pytest.fixture
async def baseline_kept(engine: AsyncEngine, baseline: Baseline) -> AsyncIterator[None]:
    """After the test, delete the rows it created and check the seeded ones are untouched (else put them back)."""
    yield
    async with engine.begin() as connection:
        kept = await connection.run_sync(baseline.keep)
    assert kept, "the test changed the seeded baseline: create your own rows instead"


@pytest.fixture
async def db_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """Each statement on its own (autocommit), so every read sees what the app has committed by then."""
    async with make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))() as session:
        yield session


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that go through the app or the database `integration`, the rest `unit`."""
    for item in items:
        uses_database = {"client", "app", "db_session", "engine", "redis"} & set(getattr(item, "fixturenames", ()))
        item.add_marker(pytest.mark.integration if uses_database else pytest.mark.unit)


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
