"""Test fixtures for sync TestClient.

Tests are plain ``def`` functions. ``client`` is FastAPI's TestClient used as a
context manager, so the app's lifespan runs and creates its async engine inside the
TestClient's own event loop. ``db_session`` is a synchronous Session on the same
database (psycopg).
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

from task_service.core.config import Settings
from task_service.core.db import sync_database_url
from task_service.main import create_app
from task_service.models import Base

from .support import run_migrations

API_KEY = "test-api-key"
# The `db-test` service of docker-compose.yml; override with TEST_DATABASE_URL.
DEFAULT_TEST_DATABASE_URL = "postgresql://postgres:postgres@127.0.0.1:5433/test"


@pytest.fixture(scope="session")
def database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL


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
    engine = create_engine(url)
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
