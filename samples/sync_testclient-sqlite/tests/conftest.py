"""Test fixtures for sync TestClient.

Tests are plain ``def`` functions. ``client`` is FastAPI's TestClient used as a
context manager, so the app's lifespan runs and creates its async engine inside the
TestClient's own event loop. ``db_session`` is a synchronous Session on the same
database (sqlite3; an in-memory database shared with the app by name).
The app and the tests use different connections, so a test cannot be wrapped in one
transaction; instead every table is emptied after each test, which keeps tests
independent of each other and of their order.
"""

import os
from collections.abc import Callable, Iterator
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from task_service.core.config import Settings
from task_service.core.db import configure_sqlite, is_in_memory, sync_database_url
from task_service.main import create_app
from task_service.models import Base

from .support import run_migrations

API_KEY = "test-api-key"


@pytest.fixture(scope="session")
def database_url() -> str:
    # A named in-memory database, shared by the app's aiosqlite connection and the tests' sqlite3 one.
    return os.environ.get("TEST_DATABASE_URL") or "sqlite:///file:tests?mode=memory&cache=shared&uri=true"


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
    url = sync_database_url(settings.database_url)
    if is_in_memory(url):
        # Keep the one connection (and so the in-memory database) alive for the whole session.
        engine = create_engine(url, poolclass=StaticPool)
    else:
        engine = create_engine(url)
    configure_sqlite(engine)
    with engine.begin() as connection:
        run_migrations(connection)
    yield engine
    engine.dispose()


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
def app(settings: Settings, engine: Engine) -> FastAPI:
    # Depends on `engine` only so the schema exists before the app starts.
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """FastAPI's TestClient as a context manager, so the app's lifespan runs."""
    with TestClient(app) as client:
        yield client
