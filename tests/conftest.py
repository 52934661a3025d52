"""Fixtures for the template's own tests: baking projects and giving them databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

TEMPLATE = Path(__file__).resolve().parents[1]
STRATEGIES = ["rollback_isolation", "pragmatic", "sync_testclient", "self_healing_seed"]
DATABASES = ["postgresql", "sqlite"]
COMBINATIONS = [(strategy, database) for strategy in STRATEGIES for database in DATABASES]
COMBINATION_IDS = [f"{strategy}-{database}" for strategy, database in COMBINATIONS]

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """A PostgreSQL server the tests may create databases on.

    ``TEMPLATE_POSTGRES_URL`` (any database on the server, with CREATEDB rights) wins;
    otherwise a local server on 127.0.0.1:5432 as user postgres.
    """
    url = os.environ.get("TEMPLATE_POSTGRES_URL", LOCAL_SERVER)
    try:
        with psycopg.connect(_libpq(url), connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.exit(
            f"no PostgreSQL at {url} ({str(exc).strip().splitlines()[0]}): start one, "
            "or set TEMPLATE_POSTGRES_URL=postgresql://user:pw@host:port/db",
            returncode=2,
        )
    return url


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def fresh_database(postgres_admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one baked project; dropped afterwards."""
    name = f"baked_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(postgres_admin_url), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_libpq(postgres_admin_url), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
