"""MariaDB for the template's own tests (tests/baking.py loads this; it is never rendered).

A server the tests make scratch databases on: ``TEMPLATE_MARIADB_URL`` (as a user who may
create databases), else the local one on 127.0.0.1:3306 as root without a password.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pymysql
from sqlalchemy.engine import make_url

SERVER_VARIABLE = "TEMPLATE_MARIADB_URL"
LOCAL_SERVER = "mariadb://root@127.0.0.1:3306"
SYNC_DRIVER = "mariadb+pymysql"


def server() -> str:
    return os.environ.get(SERVER_VARIABLE, LOCAL_SERVER)


def _connect(url: str) -> pymysql.Connection:  # type: ignore[type-arg]
    parsed = make_url(url)
    return pymysql.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 3306,
        user=parsed.username or "root",
        password=parsed.password or "",
        connect_timeout=5,
        autocommit=True,
    )


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def unreachable() -> str | None:
    """Why the server cannot be used, in one line, or None."""
    try:
        _connect(server()).close()
        return None
    except pymysql.MySQLError as exc:
        return f"no MariaDB at {server()} ({exc}): start one, or set {SERVER_VARIABLE}=mariadb://user:pw@host:port"


def create(directory: Path) -> str:
    """A new, empty database on the server (``directory`` is for file databases)."""
    name = f"baked_{uuid.uuid4().hex[:12]}"
    with _connect(server()) as admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {_quoted(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    return make_url(server()).set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    """Drop the database ``url`` names, if it exists, ending every connection to it first (a
    connection left in a transaction would hold its tables' metadata locks, and DROP would wait)."""
    name = make_url(url).database or ""
    with _connect(url) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT id FROM information_schema.processlist WHERE db = %s AND id != CONNECTION_ID()", (name,))
        for (connection,) in cursor.fetchall():
            cursor.execute(f"KILL CONNECTION {int(connection)}")
        cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(name)}")


def leftovers(url: str) -> list[str]:
    """The per-worker copies (``<name>_gw*``) of the test database at ``url`` that still exist."""
    name = (make_url(url).database or "").replace("_", "\\_")
    with _connect(url) as admin, admin.cursor() as cursor:
        cursor.execute("SHOW DATABASES LIKE %s", (f"{name}\\_gw%",))
        return sorted(row[0] for row in cursor.fetchall())
