"""Test fixtures for rollback isolation.

The schema is built and the app started once per test session. Each test then runs
inside a transaction on a single connection; the app's sessions and ``db_session``
join it with savepoints (``join_transaction_mode="create_savepoint"``), so the app
may commit freely and everything the test did is rolled back at teardown.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from uuid import uuid4

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from task_service.api.deps import get_sessionmaker
from task_service.core.config import Settings
from task_service.core.db import make_engine
from task_service.main import create_app

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
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The test database, migrated once per session."""
    engine = make_engine(settings.database_url)
    async with engine.begin() as connection:
        await connection.run_sync(run_migrations)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    """The service, built and started (lifespan run) once for the whole session, on the tests' engine."""
    app = create_app(settings, engine)
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The test's own connection, inside a transaction that is never committed."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessionmaker(
    connection: AsyncConnection, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> async_sessionmaker[AsyncSession]:
    """Sessions that join the test's transaction through savepoints; the app gets them too."""
    sessionmaker = async_sessionmaker(connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, lambda: sessionmaker)
    return sessionmaker


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


@pytest.fixture
async def client(app: FastAPI, sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncClient]:
    """An HTTP client on the started app, whose sessions join the test's transaction."""
    async with AsyncClient(transport=OneAtATimeTransport(app), base_url="http://test") as client:
        yield client
