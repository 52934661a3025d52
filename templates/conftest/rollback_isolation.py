{%- extends "conftest/base.py" %}
{%- block docstring -%}
"""Test fixtures for rollback isolation.

The schema is built once per test session from the migrations. Each test then runs
inside a transaction on a single connection; the app's sessions and ``db_session``
join it with savepoints (``join_transaction_mode="create_savepoint"``), so the app
may commit freely and everything the test did is rolled back at teardown.
"""
{%- endblock %}
{%- block imports %}
import os
from collections.abc import AsyncIterator, Callable
from uuid import uuid4

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from {{ cookiecutter.project_slug }}.api.deps import get_session
from {{ cookiecutter.project_slug }}.core.config import Settings
from {{ cookiecutter.project_slug }}.core.db import create_engine
from {{ cookiecutter.project_slug }}.main import create_app

from .support import run_migrations
{% endblock %}
{%- block fixtures %}

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
{%- endblock %}
