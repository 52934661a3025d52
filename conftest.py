"""Fixtures for the template's tests (``tests/`` and each strategy's own tests): databases to bake into."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.baking import libpq

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """A PostgreSQL server the tests may create databases on.

    ``TEMPLATE_POSTGRES_URL`` (any database on the server, with CREATEDB rights) wins;
    otherwise a local server on 127.0.0.1:5432 as user postgres.
    """
    url = os.environ.get("TEMPLATE_POSTGRES_URL", LOCAL_SERVER)
    try:
        with psycopg.connect(libpq(url), connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.exit(
            f"no PostgreSQL at {url} ({str(exc).strip().splitlines()[0]}): start one, "
            "or set TEMPLATE_POSTGRES_URL=postgresql://user:pw@host:port/db",
            returncode=2,
        )
    return url


@pytest.fixture
def new_database(postgres_admin_url: str, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes a new, empty database for a baked project: ``new_database("postgresql")`` gives its URL.

    PostgreSQL databases are created on the server and dropped afterwards; SQLite ones are files.
    """
    created: list[str] = []

    def make(database: str) -> str:
        if database == "sqlite":
            return f"sqlite:///{tmp_path / f'test-{uuid.uuid4().hex[:8]}.sqlite3'}"
        if database != "postgresql":
            raise ValueError(f"no test database for the choice {database!r}")
        name = f"baked_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(libpq(postgres_admin_url), autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)

    yield make
    with psycopg.connect(libpq(postgres_admin_url), autocommit=True) as admin:
        for name in created:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
