"""The test database on PostgreSQL: created when missing, set up once, cloned for each pytest-xdist worker.

``prepare`` and ``discard`` block; the conftest runs them in a thread of their own.
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


class DatabaseUnavailable(Exception):
    """The server could not be reached; the message names the URL tried (password hidden) and the fixes."""


def check(database_url: str) -> None:
    """Raise ``DatabaseUnavailable`` unless the server answers."""
    asyncio.run(_on_server(make_url(async_database_url(database_url)), "SELECT 1"))


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
    """Drop the database and create it again, empty."""
    url = make_url(async_database_url(database_url))
    asyncio.run(_on_server(url, f"DROP DATABASE IF EXISTS {_quoted(url)} WITH (FORCE)"))
    asyncio.run(_on_server(url, f"CREATE DATABASE {_quoted(url)}"))


async def _prepare(url: URL, worker: str, set_up: Callable[[str], None] | None) -> str:
    if set_up is not None:
        exists = await _on_server(url, "SELECT 1 FROM pg_database WHERE datname = :name", name=url.database)
        if not exists:
            await _on_server(url, f"CREATE DATABASE {_quoted(url)}")
        await asyncio.to_thread(set_up, url.render_as_string(hide_password=False))
    if worker == "master":
        return url.render_as_string(hide_password=False)
    clone = url.set(database=f"{url.database}_{worker}")
    await _on_server(url, f"DROP DATABASE IF EXISTS {_quoted(clone)} WITH (FORCE)")
    await _on_server(url, f"CREATE DATABASE {_quoted(clone)} TEMPLATE {_quoted(url)}")
    return clone.render_as_string(hide_password=False)


async def _on_server(url: URL, statement: str, **parameters: str | None) -> bool:
    """Run one statement on the server's maintenance database; whether it returned a row."""
    engine = create_async_engine(
        url.set(database="postgres"),
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(statement), parameters)
            return result.returns_rows and result.first() is not None
    except (OSError, TimeoutError, SQLAlchemyError) as exc:
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
