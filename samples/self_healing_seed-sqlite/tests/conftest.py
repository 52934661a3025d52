"""Test fixtures for the self-healing seed strategy.

Once per test session, ``engine`` migrates the schema and, if the database is
empty, runs the project's own seeder (``python -m task_service.seed``) in a
subprocess, so the suite heals a fresh or wiped database by itself. Tests may rely on
the seeded baseline (``task_service.seed.SEED_PROJECTS``); whatever a test
creates is deleted after it, and a test that changes the baseline fails.
"""

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from task_service.core.config import Settings
from task_service.core.db import make_engine, make_sessionmaker
from task_service.main import create_app
from task_service.models import Project, Task

from .support import run_migrations

API_KEY = "test-api-key"
SEEDER = [sys.executable, "-m", "task_service.seed"]


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


@pytest.fixture(scope="session", autouse=True)
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The test database, migrated once per session and seeded when it is empty."""
    engine = make_engine(settings.database_url)
    async with engine.begin() as connection:
        await connection.run_sync(run_migrations)
        project_count = await connection.scalar(select(func.count()).select_from(Project))
    if not project_count:
        print("test database is empty: running the seeder")
        run_seeder(settings.database_url)
        # The seeder changed the database through its own connections: start from fresh ones.
        await engine.dispose()
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    """The service, built and started (lifespan run) once for the whole session, on the tests' engine."""
    app = create_app(settings, engine)
    async with LifespanManager(app):
        yield app


async def snapshot(connection: AsyncConnection) -> list[Any]:
    projects = await connection.execute(
        select(Project.id, Project.name, Project.description, Project.deleted_at).order_by(Project.id)
    )
    tasks = await connection.execute(select(Task.id, Task.project_id, Task.title, Task.done).order_by(Task.id))
    return [*projects.all(), *tasks.all()]


@pytest.fixture(autouse=True)
async def seeded_baseline(engine: AsyncEngine) -> AsyncIterator[list[Any]]:
    """The rows present before the test; afterwards, delete newer rows and check the rest is untouched."""
    async with engine.connect() as connection:
        before = await snapshot(connection)
        last_project = await connection.scalar(select(func.coalesce(func.max(Project.id), 0)))
        last_task = await connection.scalar(select(func.coalesce(func.max(Task.id), 0)))
    yield before
    async with engine.begin() as connection:
        await connection.execute(delete(Task).where(Task.id > last_task))
        await connection.execute(delete(Project).where(Project.id > last_project))
        after = await snapshot(connection)
    assert after == before, "the test changed the seeded baseline: create your own rows instead"


@pytest.fixture
async def db_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with make_sessionmaker(engine)() as session:
        yield session


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that go through the app or the database `integration`, the rest `unit`."""
    for item in items:
        uses_database = {"client", "app", "db_session"} & set(getattr(item, "fixturenames", ()))
        item.add_marker(pytest.mark.integration if uses_database else pytest.mark.unit)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client on the started app."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client
