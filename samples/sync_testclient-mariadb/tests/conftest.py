"""Test fixtures for sync TestClient.

Tests are plain ``def`` functions. ``client`` is FastAPI's TestClient, entered once
per session: the app's lifespan runs and creates its async engine inside the
TestClient's own event loop, which lives until the session ends. ``db_session`` is
a synchronous Session on the same database. The app and the tests use different
connections, so a test cannot be wrapped in one transaction; instead every table is
emptied after each test that used the database, which keeps tests independent of each
other and of their order.
"""

import os
from collections.abc import Callable, Iterator
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from filelock import FileLock
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from task_service.core.config import Settings
from task_service.core.db import async_database_url, configure_mariadb
from task_service.main import create_app
from task_service.models import Base

from . import database
from .factories import MakeProject, MakeTask, ProjectFactory, TaskFactory
from .support import in_own_thread, migrate

API_KEY = "test-api-key"
# The `db-test` service of docker-compose.yml; override with TEST_DATABASE_URL.
DEFAULT_TEST_DATABASE_URL = "mariadb://root@127.0.0.1:3307/test"


def set_up_database(database_url: str) -> None:
    """Build the schema the way production does (once per run, before xdist workers copy the database)."""
    migrate(database_url)


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
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, api_key=SecretStr(API_KEY))


@pytest.fixture
def api_headers() -> dict[str, str]:
    return {"X-API-Key": API_KEY}


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Names no other test (or earlier run) uses, so tests never collide on shared data."""
    return lambda prefix: f"{prefix} {uuid4().hex[:12]}"


@pytest.fixture
def make_project(db_session: Session) -> MakeProject:
    """Make projects straight in the database, through ``db_session`` (see tests/factories.py)."""
    return ProjectFactory.create_factory(__session__=db_session).create_sync


@pytest.fixture
def make_task(db_session: Session) -> MakeTask:
    """Make tasks straight in the database, through ``db_session``: ``make_task(project=...)``."""
    return TaskFactory.create_factory(__session__=db_session).create_sync


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    """The test database, for synchronous code (mariadb+pymysql)."""
    engine = create_engine(make_url(async_database_url(settings.database_url)).set(drivername="mariadb+pymysql"))
    configure_mariadb(engine)
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


@pytest.fixture
def empty_tables(engine: Engine) -> Iterator[None]:
    """After a test that used the database, delete every row (children first) in one transaction."""
    yield
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def db_session(engine: Engine, empty_tables: None) -> Iterator[Session]:
    """Each statement on its own (autocommit), so every read sees what the app has committed by then."""
    with Session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
        yield session


@pytest.fixture
def client(started_client: TestClient, empty_tables: None) -> Iterator[TestClient]:
    """FastAPI's TestClient on the started app; cookies do not outlive the test."""
    yield started_client
    started_client.cookies.clear()
