"""PostgreSQL for the template's own tests (tests/databases.py loads this; it is never rendered).

A server the tests make scratch databases on: ``TEMPLATE_POSTGRES_URL`` (any database on it,
as a user with CREATEDB rights), else the local one on 127.0.0.1:5432 as user postgres.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

SERVER_VARIABLE = "TEMPLATE_POSTGRES_URL"
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
SYNC_DRIVER = "postgresql+psycopg"


def server() -> str:
    return os.environ.get(SERVER_VARIABLE, LOCAL_SERVER)


def _libpq(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return (parsed.set(database=database) if database else parsed).render_as_string(hide_password=False)


def unreachable() -> str | None:
    """Why the server cannot be used, in one line, or None."""
    try:
        with psycopg.connect(_libpq(server()), connect_timeout=5):
            return None
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0]
        return f"no PostgreSQL at {server()} ({reason}): start one, or set {SERVER_VARIABLE}=postgresql://user:pw@host:port/db"


def create(directory: Path) -> str:
    """A new, empty database on the server (``directory`` is for file databases)."""
    name = f"baked_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(server()), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(server()).set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    """Drop the database ``url`` names, if it exists, whoever is connected to it."""
    name = make_url(url).database or ""
    with psycopg.connect(_libpq(url, database="postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def leftovers(url: str) -> list[str]:
    """The per-worker copies (``<name>_gw*``) of the test database at ``url`` that still exist."""
    name = make_url(url).database
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name}_gw%"])
        return sorted(datname for (datname,) in rows)
