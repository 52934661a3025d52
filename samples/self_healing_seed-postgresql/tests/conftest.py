"""Test fixtures for the self-healing seed strategy.

Once per test run, ``set_up_database`` migrates the schema and, unless this database holds the
seed of the project's seeder as it is now, runs that seeder (``python -m task_service.seed``)
in a subprocess, so the suite heals a fresh, wiped or half-seeded database by itself, whatever
rows the migrations wrote (reference data). Tests may rely on the seeded baseline: every row of
every table after seeding, read from the database (the tables you add, and whatever your
migrations and your seeder put in them, included). Every row a test writes, whoever writes it,
is logged by the database (tests/changes.py) and put back after the test (tests/tables.py): what
it created is deleted; a test that changed the baseline fails, and the baseline is put back for
the next. The cost follows what a test wrote, not the size of the baseline.
"""

import hashlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from filelock import FileLock
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, delete, insert, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from task_service.core.config import Settings
from task_service.core.db import make_engine, make_sessionmaker
from task_service.main import create_app

from . import changes, database
from .changes import ChangeLog
from .support import in_own_thread, migrate
from .tables import CHANGE_LOG_PREFIX, Baseline, CannotPutBack, put_back, read_baseline, read_tables, restoring_engine

# Your domain's test data: its factories and the fixtures that make rows with them.
pytest_plugins = ["tests.factories"]

API_KEY = "test-api-key"
# The `db-test` service of docker-compose.yml; override with TEST_DATABASE_URL.
DEFAULT_TEST_DATABASE_URL = "postgresql://postgres:postgres@127.0.0.1:5433/test"
SEEDER = [sys.executable, "-m", "task_service.seed"]
SEED_MODULE = Path(__file__).resolve().parents[1] / "task_service" / "seed.py"
# Which seeder (a digest of its module) last seeded this database, kept beside the change log:
# a new migration reinstalls the log and drops it, so the seeder runs again (it must be safe to).
SEEDED = Table(CHANGE_LOG_PREFIX + "seeded", MetaData(schema=changes.SCHEMA), Column("seeder", String(64)))

T = TypeVar("T")
# Puts back what tests wrote since it last ran; says which tables' baseline rows had changed.
RestoreBaseline = Callable[[], list[str]]
RESTORE_BASELINE = pytest.StashKey[RestoreBaseline]()


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


def seeder_digest() -> str:
    return hashlib.sha256(SEED_MODULE.read_bytes()).hexdigest()


def seeded_by(connection: Connection) -> str | None:
    """The digest of the seeder that seeded this database; None if none did."""
    if not inspect(connection).has_table(SEEDED.name, schema=SEEDED.schema):
        return None
    return connection.execute(select(SEEDED.c.seeder)).scalar()


def mark_seeded(connection: Connection, digest: str) -> None:
    """Record the seeder that seeded; the rows it wrote are the baseline, not changes to put back."""
    ChangeLog(read_tables(connection)).take(connection)
    SEEDED.create(connection, checkfirst=True)
    connection.execute(delete(SEEDED))
    connection.execute(insert(SEEDED).values(seeder=digest))


def set_up_database(database_url: str) -> None:
    """Migrate, and seed unless this seeder seeded the database already (once per run, before xdist
    workers copy it). Rows your migrations insert (reference data) do not make it look seeded."""
    make_anew_if_left_changed(database_url)
    migrate(database_url)
    on_database(database_url, install_change_log)
    digest = seeder_digest()
    if on_database(database_url, seeded_by) != digest:
        print("test database is not seeded by this seeder: running the seeder")
        run_seeder(database_url)
        on_database(database_url, partial(mark_seeded, digest=digest))


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
    base = os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL
    if distributed and base and not hasattr(session.config, "workerinput"):
        try:
            in_own_thread(database.check, base)
        except database.DatabaseUnavailable as exc:
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
    """Every row of the set-up database (the migrations' and the seeder's), read once, before any test writes."""
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
    engine = make_engine(settings.database_url, check_connections=False)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    """The service, built and started (lifespan run) once for the whole session, on the tests' engine."""
    app = create_app(settings, engine)
    async with LifespanManager(app):
        yield app


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    """Once an integration test is torn down, delete the rows it created; if it changed seeded ones,
    put them back and fail it. Unit tests need no database."""
    try:
        return (yield)
    finally:
        if item.get_closest_marker("integration") and (restore_baseline := baseline_to_restore(item, nextitem)):
            if changed := restore_baseline():
                pytest.fail(f"the test changed the seeded baseline ({', '.join(changed)}): make rows of your own")


@pytest.fixture
async def db_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """Each statement on its own (autocommit), so every read sees what the app has committed by then."""
    async with make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))() as session:
        yield session


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that go through the app or the database `integration`, the rest `unit`."""
    for item in items:
        uses_database = {"database_url"} & set(getattr(item, "fixturenames", ()))
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
