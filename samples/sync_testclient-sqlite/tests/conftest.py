"""Test fixtures for sync TestClient.

Tests are plain ``def`` functions. ``client`` is FastAPI's TestClient, entered once
per session: the app's lifespan runs and creates its async engine inside the
TestClient's own event loop, which lives until the session ends. ``db_session`` is
a synchronous Session on the same database. The app and the tests use different
connections, so a test cannot be wrapped in one transaction; instead every table is
emptied after each test, which keeps tests independent of each other and of their order.
"""

import os
from collections.abc import Callable, Iterator
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from task_service.core.config import Settings
from task_service.core.db import async_database_url, configure_sqlite
from task_service.main import create_app
from task_service.models import Base

from .support import run_migrations

API_KEY = "test-api-key"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


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


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    """The test database for synchronous code (sqlite+pysqlite), migrated once per session."""
    engine = create_engine(make_url(async_database_url(settings.database_url)).set(drivername="sqlite+pysqlite"))
    configure_sqlite(engine)
    with engine.begin() as connection:
        run_migrations(connection)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine) -> FastAPI:
    """The service, once the schema exists; its lifespan creates its async engine in the TestClient's loop."""
    return create_app(settings)


@pytest.fixture(scope="session")
def started_client(app: FastAPI) -> Iterator[TestClient]:
    """One TestClient for the session, entered so the lifespan runs once and its loop stays up."""
    with TestClient(app) as client:
        yield client


@pytest.fixture(autouse=True)
def empty_tables(engine: Engine) -> Iterator[None]:
    """After each test, delete every row, children first."""
    yield
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def client(started_client: TestClient) -> Iterator[TestClient]:
    """FastAPI's TestClient on the started app; cookies do not outlive the test."""
    yield started_client
    started_client.cookies.clear()
