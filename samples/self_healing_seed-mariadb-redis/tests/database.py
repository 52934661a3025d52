"""The test database on MariaDB: created when missing, set up once, copied for each pytest-xdist worker.

MariaDB has no template databases: a worker's copy is made table by table, from the definition
the server reports (``SHOW CREATE TABLE``, foreign keys included) and the rows (``INSERT ...
SELECT``), which takes a fraction of migrating it again. ``prepare`` and ``discard`` block; the
conftest runs them in a thread of their own.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from task_service.core.db import async_database_url

SYNC_DRIVER = "mariadb+pymysql"
CONNECT_TIMEOUT_SECONDS = 5
CHARSET = "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"


class DatabaseUnavailable(Exception):
    """The server could not be reached; the message names the URL tried (password hidden) and the fixes."""


def check(database_url: str) -> None:
    """Raise ``DatabaseUnavailable`` unless the server answers."""
    with _server(_url(database_url)) as server:
        server.execute(text("SELECT 1"))


def prepare(database_url: str, worker: str, set_up: Callable[[str], None] | None) -> str:
    """Create the database if missing and ``set_up`` it (migrate, ...), unless already done (``set_up`` is None).

    Under xdist, return a copy of it for ``worker``.
    """
    url = _url(database_url)
    if set_up is not None:
        with _server(url) as server:
            server.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS {_quoted(url.database)} {CHARSET}")
        set_up(database_url)
    if worker == "master":
        return database_url
    clone = f"{url.database}_{worker}"
    with _server(url) as server:
        server.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(clone)}")
        server.exec_driver_sql(f"CREATE DATABASE {_quoted(clone)} {CHARSET}")
        _copy(server, url.database or "", clone)
    return make_url(database_url).set(database=clone).render_as_string(hide_password=False)


def discard(database_url: str, worker: str) -> None:
    """Drop the copy ``prepare`` made for ``worker`` (its URL); the database the tests were pointed at stays."""
    if worker != "master":
        url = _url(database_url)
        with _server(url) as server:
            server.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(url.database)}")


@contextmanager
def scratch(database_url: str) -> Iterator[str]:
    """An empty database beside the one at ``database_url``, dropped afterwards: for tests whose
    DDL could not be rolled back (MariaDB commits it at once)."""
    url = _url(database_url)
    name = f"{url.database}_scratch"
    with _server(url) as server:
        server.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(name)}")
        server.exec_driver_sql(f"CREATE DATABASE {_quoted(name)} {CHARSET}")
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with _server(url) as server:
            server.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(name)}")


def _copy(server: Connection, source: str, target: str) -> None:
    """Every table of ``source``, with its rows, into the empty ``target``."""
    server.exec_driver_sql("SET SESSION foreign_key_checks = 0")
    tables: list[str] = list(
        server.execute(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = :db AND table_type = 'BASE TABLE'"
            ),
            {"db": source},
        ).scalars()
    )
    server.exec_driver_sql(f"USE {_quoted(target)}")
    for table in tables:
        definition = server.exec_driver_sql(f"SHOW CREATE TABLE {_quoted(source)}.{_quoted(table)}").one()[1]
        server.exec_driver_sql(definition)
        stored: list[str] = list(
            server.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = :db "
                    "AND table_name = :table AND is_generated = 'NEVER' ORDER BY ordinal_position"
                ),
                {"db": source, "table": table},
            ).scalars()
        )
        columns = ", ".join(_quoted(column) for column in stored)
        # Names the server itself listed, quoted: nothing from outside goes into the statement.
        server.exec_driver_sql(
            f"INSERT INTO {_quoted(table)} ({columns}) SELECT {columns} FROM {_quoted(source)}.{_quoted(table)}"  # noqa: S608
        )


def _url(database_url: str) -> URL:
    return make_url(async_database_url(database_url)).set(drivername=SYNC_DRIVER)


@contextmanager
def _server(url: URL) -> Iterator[Connection]:
    """A connection to the server (on information_schema, which every user may use), committing each statement."""
    engine = create_engine(
        url.set(database="information_schema"),
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    try:
        with engine.connect() as connection:
            yield connection
    except (OSError, SQLAlchemyError) as exc:
        raise DatabaseUnavailable(_unavailable(url, exc)) from exc
    finally:
        engine.dispose()


def _quoted(name: str | None) -> str:
    return "`" + (name or "").replace("`", "``") + "`"


def _unavailable(url: URL, exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] or type(exc).__name__
    tried = url.set(drivername="mariadb").render_as_string(hide_password=True)
    return "\n".join(
        [
            f"cannot reach the test database server at {tried}: {reason}",
            "Fix it in one of these ways:",
            "  - start the compose test database: docker compose up -d db-test",
            "  - or point the tests at a MariaDB you have (the database is created if missing):",
            "      TEST_DATABASE_URL=mariadb://user:password@127.0.0.1:3306/task_service_test pytest",
        ]
    )
