{%- extends "conftest/base.py" %}
{%- block docstring -%}
"""Test fixtures for the pragmatic strategy.

The app runs as in production, with its own engine from the lifespan, against a
real database whose schema comes from the migrations. Nothing is rolled back or
cleaned between tests: data accumulates, so every test creates what it needs
under a unique name and only looks at its own rows (``unique_name``, ``q=``).
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
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from {{ cookiecutter.project_slug }}.core.config import Settings
from {{ cookiecutter.project_slug }}.core.db import create_engine, create_sessionmaker
from {{ cookiecutter.project_slug }}.main import create_app

from .support import run_migrations
{% endblock %}
{%- block fixtures %}

@pytest.fixture
async def db_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with create_sessionmaker(engine)() as session:
        yield session


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine) -> FastAPI:
    # Depends on `engine` only so the schema exists before the app starts.
    return create_app(settings)
{%- endblock %}
