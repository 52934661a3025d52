"""The test database on PostgreSQL: created when missing, set up once, cloned for each pytest-xdist worker.

``prepare`` and ``discard`` block; the conftest runs them in a thread of their own.
The test role needs no superuser: one that owns the test database runs the tests serially, and
one that may create databases (``CREATEDB``) also runs them on pytest-xdist's workers.
"""

import asyncio
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from task_service.core.db import async_database_url

CONNECT_TIMEOUT_SECONDS = 5


# Whether the role may create databases (and so make a database anew, or copy it for xdist's workers).
MAY_CREATE_DATABASES = "SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreatedb)"
# The error PostgreSQL gives a role that lacks a privilege.
INSUFFICIENT_PRIVILEGE = "42501"


class DatabaseUnavailable(Exception):
    """The server could not be reached, or the role may not do what the tests need; the message names
    the URL tried (password hidden) and the fixes."""


def check(database_url: str) -> None:
    """Raise ``DatabaseUnavailable`` unless the server answers and the role may copy the test database
    for each pytest-xdist worker (this runs under ``-n`` only)."""
    url = make_url(async_database_url(database_url))
    if not asyncio.run(_on_server(url, MAY_CREATE_DATABASES)):
        raise DatabaseUnavailable(
            f"pytest -n copies the test database for each worker, and the role {url.username} may not create "
            f"databases: ALTER ROLE {url.username} CREATEDB (as a superuser), or run the tests without -n"
        )


def prepare(database_url: str, worker: str, set_up: Callable[[str], None] | None) -> str:
    """Create the database if missing and ``set_up`` it (migrate, ...), unless already done (``set_up`` is None).

    Under xdist, return a clone of it for ``worker``.
    """
    return asyncio.run(_prepare(make_url(async_database_url(database_url)), worker, set_up))


def discard(database_url: str, worker: str) -> None:
    """Drop the clone ``prepare`` made for ``worker``; the database the tests were pointed at stays."""
    if worker != "master":
        url = make_url(async_database_url(database_url))
        asyncio.run(_on_server(url, f"DROP DATABASE IF EXISTS {_quoted(url)} WITH (FORCE)"))


def recreate(database_url: str) -> None:
    """Make the database anew, empty: dropped and created again where the role may create databases,
    or else emptied where it stands (all the role owns in it dropped), so that a database the role
    was given and could not make again is never lost."""
    url = make_url(async_database_url(database_url))
    if asyncio.run(_on_server(url, MAY_CREATE_DATABASES)):
        asyncio.run(_on_server(url, f"DROP DATABASE IF EXISTS {_quoted(url)} WITH (FORCE)"))
        asyncio.run(_on_server(url, f"CREATE DATABASE {_quoted(url)}"))
    else:
        asyncio.run(_run(url, "DROP OWNED BY CURRENT_USER"))


async def _prepare(url: URL, worker: str, set_up: Callable[[str], None] | None) -> str:
    if set_up is not None:
        exists = await _on_server(url, "SELECT 1 FROM pg_database WHERE datname = :name", name=url.database)
        if not exists:
            await _on_server(
                url,
                f"CREATE DATABASE {_quoted(url)}",
                refused=f"the role {url.username} may not create the test database {url.database} (CREATEDB): "
                f"create it for the role (createdb --owner {url.username} {url.database}, as a role that may), "
                f"or ALTER ROLE {url.username} CREATEDB",
            )
        await asyncio.to_thread(set_up, url.render_as_string(hide_password=False))
    if worker == "master":
        return url.render_as_string(hide_password=False)
    clone = url.set(database=f"{url.database}_{worker}")
    await _on_server(url, f"DROP DATABASE IF EXISTS {_quoted(clone)} WITH (FORCE)")
    await _on_server(
        url,
        f"CREATE DATABASE {_quoted(clone)} TEMPLATE {_quoted(url)}",
        refused=f"pytest -n copies the test database for each worker, and the role {url.username} may not: it "
        f"needs CREATEDB and to own {url.database} (ALTER ROLE {url.username} CREATEDB), or run without -n",
    )
    return clone.render_as_string(hide_password=False)


async def _on_server(url: URL, statement: str, refused: str = "", **parameters: str | None) -> bool:
    """Run one statement on the server's maintenance database; whether it returned a row. A statement
    the role may not run raises ``DatabaseUnavailable(refused)``, where it says why."""
    return await _run(url, statement, refused, database="postgres", **parameters)


async def _run(
    url: URL, statement: str, refused: str = "", *, database: str | None = None, **parameters: str | None
) -> bool:
    """Run one statement on the database at ``url`` (or on ``database``, another of its server);
    whether it returned a row."""
    engine = create_async_engine(
        url.set(database=database or url.database),
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(statement), parameters)
            return result.returns_rows and result.first() is not None
    except (OSError, TimeoutError, SQLAlchemyError) as exc:
        if refused and getattr(getattr(exc, "orig", None), "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            raise DatabaseUnavailable(refused) from exc
        raise DatabaseUnavailable(_unavailable(url, exc)) from exc
    finally:
        await engine.dispose()


def _quoted(url: URL) -> str:
    return '"' + (url.database or "").replace('"', '""') + '"'


def _unavailable(url: URL, exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] or type(exc).__name__
    tried = url.set(drivername="postgresql").render_as_string(hide_password=True)
    return "\n".join(
        [
            f"cannot reach the test database server at {tried}: {reason}",
            "Fix it in one of these ways:",
            "  - start the compose test database: docker compose up -d db-test",
            "  - or point the tests at a PostgreSQL you have (the database is created if missing):",
            "      TEST_DATABASE_URL=postgresql://user:password@127.0.0.1:5432/task_service_test pytest",
        ]
    )
