"""Test fixtures for rollback isolation.

The schema is built and the app started once per test session. Each test then runs
inside a transaction on a single connection; the app's sessions and ``db_session``
join it with savepoints (``join_transaction_mode="create_savepoint"``), so the app
may commit freely and everything the test did is rolled back at teardown. What a test
commits elsewhere (through ``engine``, or an engine of its own, as a test of a script would)
is put back as the migrations left it (``tests/tables.py``).
"""

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import TypeVar
from uuid import uuid4

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from filelock import FileLock
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from task_service.core.config import Settings
from task_service.core.db import make_engine
from task_service.main import create_app

from . import changes, database
from .changes import ChangeLog
from .support import in_own_thread, migrate
from .tables import Baseline, CannotPutBack, put_back, read_baseline, read_tables, restoring_engine

# Your domain's test data: its factories and the fixtures that make rows with them.
pytest_plugins = ["tests.factories"]

API_KEY = "test-api-key"
# The events of a transaction's end, on any connection (see WritesElsewhere).
ENDS = ("commit", "rollback")
# The execution option that marks the test's own connection, whose transaction is rolled back.
ROLLED_BACK = "rolled_back"
WRITES_ELSEWHERE = pytest.StashKey["WritesElsewhere"]()

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
    """Under pytest-xdist, check the test database once, here: one clear message instead of one per worker."""
    distributed = getattr(session.config.option, "numprocesses", None)
    base = os.environ.get("TEST_DATABASE_URL")
    if distributed and base and not hasattr(session.config, "workerinput"):
        try:
            in_own_thread(database.check, base)
        except database.DatabaseUnavailable as exc:
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
def settings(database_url: str, restore_baseline: RestoreBaseline) -> Settings:
    """The service's settings for the tests; the baseline is read first, before anything can write."""
    return Settings(database_url=database_url, api_key=SecretStr(API_KEY))


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
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    """The service, built and started (lifespan run) once for the whole session, on the tests' engine."""
    app = create_app(settings, engine)
    async with LifespanManager(app):
        yield app


class WritesElsewhere:
    """Whether a transaction other than the test's own ended since the last test: a commit elsewhere
    (through ``engine``, or an engine the test made, as a test of a script would), or the end of a
    connection that commits each statement by itself. What it wrote is not rolled back with the
    test. Every engine's transactions end here: SQLAlchemy's ``commit`` and ``rollback`` events of
    ``Engine``, which cost a test nothing per statement.
    """

    def __init__(self) -> None:
        self.seen = False

    def ended(self, connection: Connection) -> None:
        if not connection.get_execution_options().get(ROLLED_BACK):
            self.seen = True


def pytest_configure(config: pytest.Config) -> None:
    config.stash[WRITES_ELSEWHERE] = watch = WritesElsewhere()
    for end in ENDS:
        event.listen(Engine, end, watch.ended)


def pytest_unconfigure(config: pytest.Config) -> None:
    for end in ENDS:
        event.remove(Engine, end, config.stash[WRITES_ELSEWHERE].ended)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    """Once a test that wrote outside its transaction is torn down, put back what it changed as the
    migrations left it."""
    try:
        return (yield)
    finally:
        watch = item.config.stash[WRITES_ELSEWHERE]
        if watch.seen and (restore_baseline := baseline_to_restore(item, nextitem)):
            restore_baseline()
        watch.seen = False


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The test's own connection, inside a transaction that is never committed."""
    async with engine.connect() as connection:
        await connection.execution_options(**{ROLLED_BACK: True})
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection, app: FastAPI) -> Iterator[async_sessionmaker[AsyncSession]]:
    """Sessions that join the test's transaction through savepoints; the app gets them too.

    ``get_sessionmaker`` hands the app whatever ``app.state.sessionmaker`` holds, so that is
    what the test swaps: cheaper per request than ``app.dependency_overrides``, which makes
    FastAPI re-inspect every dependency of every request.
    """
    sessionmaker = async_sessionmaker(connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
    original, app.state.sessionmaker = app.state.sessionmaker, sessionmaker
    yield sessionmaker
    app.state.sessionmaker = original


@pytest.fixture
async def db_session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


class OneAtATimeTransport(ASGITransport):
    """Requests take turns: they all share the test's one connection, which runs one statement at a time."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__(app=app)
        self._turn = asyncio.Lock()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with self._turn:
            return await super().handle_async_request(request)


@pytest.fixture(scope="session")
async def started_client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """One HTTP client on the started app for the whole session: ``client`` hands it to each test."""
    async with AsyncClient(transport=OneAtATimeTransport(app), base_url="http://test") as client:
        yield client


@pytest.fixture
def client(started_client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]) -> Iterator[AsyncClient]:
    """The started app's HTTP client, whose sessions join the test's transaction; cookies do not outlive the test."""
    yield started_client
    started_client.cookies.clear()
