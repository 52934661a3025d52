{%- set sqlite = cookiecutter.database == "sqlite" -%}
{%- extends "conftest/base.py" %}
{%- block docstring -%}
"""Test fixtures for sync TestClient.

Tests are plain ``def`` functions. ``client`` is FastAPI's TestClient used as a
context manager, so the app's lifespan runs and creates its async engine inside the
TestClient's own event loop. ``db_session`` is a synchronous Session on the same
database{% if sqlite %} (sqlite3; an in-memory database shared with the app by name){% else %} (psycopg){% endif %}.
The app and the tests use different connections, so a test cannot be wrapped in one
transaction; instead every table is emptied after each test, which keeps tests
independent of each other and of their order.
"""
{%- endblock %}
{%- block imports %}
import os
from collections.abc import Callable, Iterator
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session
{%- if sqlite %}
from sqlalchemy.pool import StaticPool
{%- endif %}

from {{ cookiecutter.project_slug }}.core.config import Settings
{%- if sqlite %}
from {{ cookiecutter.project_slug }}.core.db import configure_sqlite, is_in_memory, sync_database_url
{%- else %}
from {{ cookiecutter.project_slug }}.core.db import sync_database_url
{%- endif %}
from {{ cookiecutter.project_slug }}.main import create_app
from {{ cookiecutter.project_slug }}.models import Base

from .support import run_migrations
{% endblock %}
{%- block engine %}

@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    url = sync_database_url(settings.database_url)
    {%- if sqlite %}
    if is_in_memory(url):
        # Keep the one connection (and so the in-memory database) alive for the whole session.
        engine = create_engine(url, poolclass=StaticPool)
    else:
        engine = create_engine(url)
    configure_sqlite(engine)
    {%- else %}
    engine = create_engine(url)
    {%- endif %}
    with engine.begin() as connection:
        run_migrations(connection)
    yield engine
    engine.dispose()
{% endblock %}
{%- block fixtures %}

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
{%- endblock %}
{%- block client %}


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """FastAPI's TestClient as a context manager, so the app's lifespan runs."""
    with TestClient(app) as client:
        yield client
{%- endblock %}
