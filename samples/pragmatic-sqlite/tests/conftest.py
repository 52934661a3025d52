"""Test fixtures for the pragmatic strategy.

The app runs as in production against a real database whose schema comes from the
migrations. Nothing is rolled back or cleaned between tests: data accumulates, so
every test creates what it needs under a unique name and only looks at its own rows
(``unique_name``, ``q=``).
"""

import os
from collections.abc import AsyncIterator, Callable
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from task_service.core.config import Settings
from task_service.core.db import make_engine, make_sessionmaker
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
async def db_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with make_sessionmaker(engine)() as session:
        yield session


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client on the started app."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client
