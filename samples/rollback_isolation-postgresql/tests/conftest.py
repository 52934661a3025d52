"""Test fixtures for rollback isolation.

The schema is built once per test session from the migrations. Each test then runs
inside a transaction on a single connection; the app's sessions and ``db_session``
join it with savepoints (``join_transaction_mode="create_savepoint"``), so the app
may commit freely and everything the test did is rolled back at teardown.
"""

import os
from collections.abc import AsyncIterator, Callable
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from task_service.api.deps import get_session
from task_service.core.config import Settings
from task_service.core.db import create_engine
from task_service.main import create_app

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
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database_url)
    async with engine.begin() as connection:
        await connection.run_sync(run_migrations)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The test's own connection, inside a transaction that is never committed."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(connection, expire_on_commit=False, join_transaction_mode="create_savepoint")


@pytest.fixture
async def db_session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def app(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> FastAPI:
    app = create_app(settings)

    async def session_in_test_transaction() -> AsyncIterator[AsyncSession]:
        async with sessionmaker() as session:
            yield session

    app.dependency_overrides[get_session] = session_in_test_transaction
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client on the app, with its lifespan (start-up and shutdown) run."""
    async with (
        LifespanManager(app) as manager,
        AsyncClient(transport=ASGITransport(app=manager.app), base_url="http://test") as client,
    ):
        yield client
