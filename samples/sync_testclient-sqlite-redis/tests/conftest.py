"""Test fixtures for sync TestClient.

Tests are plain ``def`` functions. ``client`` is FastAPI's TestClient, entered once
per session: the app's lifespan runs and creates its async engine inside the
TestClient's own event loop, which lives until the session ends. ``db_session`` is
a synchronous Session on the same database. The app and the tests use different
connections, so a test cannot be wrapped in one transaction; instead, after each test that
reached the database, every row it wrote (through the app, ``db_session``, ``engine`` or
anything else: tests/changes.py logs them) is put back as the migrations left it: rows it
added are deleted, rows it changed or deleted are restored (tests/tables.py). Every test starts
with exactly what the migrations wrote, reference data included, whatever ran before it.
So is the app's Redis database index: ``empty_cache`` deletes its keys (one FLUSHDB of this
worker's own index) after every test.
"""

import os
from collections.abc import Callable, Generator, Iterator
from typing import TypeVar
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from filelock import FileLock
from pydantic import SecretStr
from redis import Redis
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from task_service.core.config import Settings
from task_service.core.db import async_database_url, configure_sqlite
from task_service.main import create_app

from . import cache, changes, database
from .changes import ChangeLog
from .support import in_own_thread, migrate
from .tables import Baseline, CannotPutBack, put_back, read_baseline, read_tables, restoring_engine

# Your domain's test data: its factories and the fixtures that make rows with them.
pytest_plugins = ["tests.factories"]

API_KEY = "test-api-key"
# The `redis-test` service of docker-compose.yml; override with TEST_REDIS_URL.
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6380/0"

T = TypeVar("T")
# Puts back what tests wrote since it last ran; says which tables' baseline rows had changed.
RestoreBaseline = Callable[[], list[str]]
RESTORE_BASELINE = pytest.StashKey[RestoreBaseline]()


def set_up_database(database_url: str) -> None:
    """Build the schema the way production does, and log every row written from then on (once per
    run, before xdist workers copy the database): what the migrations wrote is the baseline."""
    make_anew_if_left_changed(database_url)
    migrate(database_url)
    on_database(database_url, install_change_log)


def make_anew_if_left_changed(database_url: str) -> None:
    """A run that was stopped before it put back what its tests changed leaves the database off its
    baseline, with no record of what the baseline was: it is dropped and made again."""
    if on_database(database_url, changes.left_behind):
        print("the test database holds changes an earlier run did not put back: making it anew")
        database.recreate(database_url)


def install_change_log(connection: Connection) -> None:
    ChangeLog(read_tables(connection)).install(connection)


def on_database(database_url: str, work: Callable[[Connection], T]) -> T:
    """``work(connection)`` in one transaction on the database at ``database_url``, committed."""
    engine = restoring_engine(database_url)
    try:
        with connect(engine) as connection, connection.begin():
            return work(connection)
    finally:
        engine.dispose()


def connect(engine: Engine) -> Connection:
    """A connection that puts the baseline back, or the run stops with one line saying why it cannot."""
    try:
        return engine.connect()
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        pytest.exit(f"cannot open the connection that puts the baseline back: {reason}", returncode=1)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist, check the test database and Redis once, here: one clear message instead of one per worker."""
    distributed = getattr(session.config.option, "numprocesses", None)
    base = os.environ.get("TEST_DATABASE_URL")
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
    base = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{shared / 'test.sqlite3'}"
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
def settings(database_url: str, redis_url: str, restore_baseline: RestoreBaseline) -> Settings:
    """The service's settings for the tests; the baseline is read first, before anything can write."""
    return Settings(database_url=database_url, api_key=SecretStr(API_KEY), redis_url=redis_url)


@pytest.fixture(scope="session")
def restore_engine(database_url: str) -> Iterator[Engine]:
    """The connection that puts the baseline back after tests; it checks no foreign keys (tests/tables.py)."""
    engine = restoring_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def baseline(restore_engine: Engine) -> Baseline:
    """Every row of the set-up database (what the migrations wrote), read once, before any test writes."""
    with connect(restore_engine) as connection:
        return read_baseline(connection)


@pytest.fixture(scope="session")
def change_log(baseline: Baseline) -> ChangeLog:
    """The log of every row written to each table (tests/changes.py)."""
    return ChangeLog(list(baseline.tables.values()))


@pytest.fixture(scope="session")
def restore_baseline(
    request: pytest.FixtureRequest, restore_engine: Engine, baseline: Baseline, change_log: ChangeLog
) -> RestoreBaseline:
    """Put back what was written since the last call; the tables whose baseline rows had changed (tests/tables.py).

    Kept in the run's stash too, for the strategy's ``pytest_runtest_teardown``: a hook costs a test
    next to nothing, an autouse fixture a tenth of a request.
    """

    def restore() -> list[str]:
        try:
            return put_back(restore_engine, baseline, change_log)
        except CannotPutBack as exc:
            # The tests after this one would start off the baseline: the run stops after this test, saying
            # why (under pytest-xdist too: a worker hands its reason to the main process).
            request.session.shouldstop = str(exc)
            raise

    request.config.stash[RESTORE_BASELINE] = restore
    return restore


def baseline_to_restore(item: pytest.Item, nextitem: pytest.Item | None) -> RestoreBaseline | None:
    """``restore_baseline``, once a test is torn down, if the database was reached at all; None after an
    xdist worker's last test, whose copy of the database is gone with the session's fixtures."""
    if nextitem is None and hasattr(item.config, "workerinput"):
        return None
    return item.config.stash.get(RESTORE_BASELINE, None)


@pytest.fixture
def api_headers() -> dict[str, str]:
    return {"X-API-Key": API_KEY}


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Names no other test (or earlier run) uses, so tests never collide on shared data."""
    return lambda prefix: f"{prefix} {uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    """The test database, for synchronous code (sqlite+pysqlite)."""
    engine = create_engine(make_url(async_database_url(settings.database_url)).set(drivername="sqlite+pysqlite"))
    configure_sqlite(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    """The service; its lifespan creates its async engine in the TestClient's event loop."""
    return create_app(settings)


@pytest.fixture(scope="session")
def started_client(app: FastAPI) -> Iterator[TestClient]:
    """One TestClient for the session, entered so the lifespan runs once and its loop stays up."""
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def redis_client(redis_url: str) -> Iterator[Redis]:
    """A client on the app's Redis database index (the app's own lives in the TestClient's event loop)."""
    with Redis.from_url(redis_url) as client:
        yield client


@pytest.fixture(autouse=True)
def empty_cache(redis_client: Redis) -> Iterator[None]:
    """After every test, delete every key of this worker's index (one FLUSHDB), whoever wrote them:
    the app, ``redis``, or a client the test made itself."""
    yield
    redis_client.flushdb()


@pytest.fixture
def redis(redis_client: Redis) -> Redis:
    """A client on the database index the app uses, for arranging and asserting what the cache holds."""
    return redis_client


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    """Once a test that reached the database is torn down, put back what it wrote as the migrations left it."""
    try:
        return (yield)
    finally:
        restore_baseline = baseline_to_restore(item, nextitem)
        if restore_baseline and "database_url" in getattr(item, "fixturenames", ()):
            restore_baseline()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """Each statement on its own (autocommit), so every read sees what the app has committed by then."""
    with Session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
        yield session


@pytest.fixture
def client(started_client: TestClient) -> Iterator[TestClient]:
    """FastAPI's TestClient on the started app; cookies do not outlive the test."""
    yield started_client
    started_client.cookies.clear()
