"""The test database on MariaDB: created when missing, set up once, copied for each pytest-xdist worker.

MariaDB has no template databases: a worker's copy is made object by object, from the
definitions the server reports (``SHOW CREATE``: tables with their foreign keys, sequences,
views, stored routines, triggers and events) and the rows (``INSERT ... SELECT``), which takes
a fraction of migrating it again. ``prepare`` and ``discard`` block; the
conftest runs them in a thread of their own.

The test user needs no global privilege, only all privileges on the test database and on the
databases named after it (``<name>_gw0``..., ``<name>_scratch``): a refusal stops the run at its
start with the GRANT that would allow it.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, RowMapping, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from task_service.core.db import async_database_url

SYNC_DRIVER = "mariadb+pymysql"
CONNECT_TIMEOUT_SECONDS = 5
CHARSET = "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
# The DEFINER clause of a view's, routine's, trigger's or event's definition, as SHOW CREATE gives it.
DEFINER = re.compile(r"\bDEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`\s*")
# The errors MariaDB gives a user that lacks a privilege on a database, or a global one.
REFUSED = {1044, 1227}


class DatabaseUnavailable(Exception):
    """The server could not be reached, or the user may not do what the tests need; the message names
    the URL tried (password hidden) and the fixes, or the grant missing."""


def check(database_url: str) -> None:
    """Raise ``DatabaseUnavailable`` unless the server answers and the user may do what the tests need
    (create the test database and ones named after it, and triggers): this runs under ``-n`` only."""
    url = _url(database_url)
    with _server(url) as server:
        _check_grants(server, url)
        _check_triggers_allowed(server)


def prepare(database_url: str, worker: str, set_up: Callable[[str], None] | None) -> str:
    """Create the database if missing and ``set_up`` it (migrate, ...), unless already done (``set_up`` is None).

    Under xdist, return a copy of it for ``worker``.
    """
    url = _url(database_url)
    if set_up is not None:
        with _server(url) as server:
            _check_grants(server, url)
            _check_triggers_allowed(server)
        set_up(database_url)
    if worker == "master":
        return database_url
    clone = f"{url.database}_{worker}"
    with _server(url) as server:
        _create_database(server, url, clone)
        _copy(server, url.database or "", clone)
    return make_url(database_url).set(database=clone).render_as_string(hide_password=False)


def discard(database_url: str, worker: str) -> None:
    """Drop the copy ``prepare`` made for ``worker`` (its URL); the database the tests were pointed at stays."""
    if worker != "master":
        url = _url(database_url)
        with _server(url) as server:
            server.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(url.database)}")


def recreate(database_url: str) -> None:
    """Drop the database and create it again, empty."""
    url = _url(database_url)
    with _server(url) as server:
        _create_database(server, url, url.database or "")


@contextmanager
def scratch(database_url: str) -> Iterator[str]:
    """An empty database beside the one at ``database_url``, dropped afterwards: for tests whose
    DDL could not be rolled back (MariaDB commits it at once)."""
    url = _url(database_url)
    name = f"{url.database}_scratch"
    with _server(url) as server:
        _create_database(server, url, name)
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with _server(url) as server:
            server.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(name)}")


def _check_grants(server: Connection, url: URL) -> None:
    """Create the test database if missing, and make and drop one named after it (``<name>_scratch``,
    as the migration checks' is), so that a refusal stops the run here rather than in a test."""
    exists = text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name")
    if server.execute(exists, {"name": url.database}).first() is None:
        _create_database(server, url, url.database or "")
    beside = f"{url.database}_scratch"
    _create_database(server, url, beside)
    server.exec_driver_sql(f"DROP DATABASE {_quoted(beside)}")


def _check_triggers_allowed(server: Connection) -> None:
    """With binary logging on, only a user with SUPER may create triggers (error 1419), unless the
    server trusts their makers: the change log is made of triggers, so say so before migrating."""
    binary_log, trusted = server.exec_driver_sql("SELECT @@log_bin, @@log_bin_trust_function_creators").one()
    if not binary_log or trusted:
        return
    user, host = _current_user(server)
    has_super = text(
        "SELECT 1 FROM information_schema.user_privileges WHERE grantee = :grantee AND privilege_type = 'SUPER'"
    )
    if server.execute(has_super, {"grantee": f"'{user}'@'{host}'"}).first() is None:
        raise DatabaseUnavailable(
            f"binary logging is on and the user '{user}'@'{host}' lacks SUPER, so it may not create the triggers "
            "that log the tests' writes (error 1419): as an admin, SET GLOBAL log_bin_trust_function_creators = 1, "
            "or start the server with --log-bin-trust-function-creators=1"
        )


def _create_database(server: Connection, url: URL, name: str) -> None:
    """Make the database ``name`` anew, empty; one the user may not make stops the run with one line
    naming the grant it needs."""
    try:
        server.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(name)}")
        server.exec_driver_sql(f"CREATE DATABASE {_quoted(name)} {CHARSET}")
    except DBAPIError as exc:
        if (exc.orig.args[:1] if exc.orig else ()) not in [(code,) for code in REFUSED]:
            raise
        user, host = _current_user(server)
        to = f"TO '{user}'@'{host}'"
        beside = f"GRANT ALL ON {_quoted(_like_escaped(f'{url.database}_') + '%')}.* {to}"
        if name == url.database:
            grant = f"GRANT ALL ON {_quoted(_like_escaped(name))}.* {to}; {beside}"
            what = f"the test database {name}"
        else:
            grant = beside
            what = f"{name}, named after the test database as the tests' own databases are"
        raise DatabaseUnavailable(f"the user '{user}'@'{host}' may not create {what}: {grant} (as an admin)") from exc


def _current_user(server: Connection) -> tuple[str, str]:
    """The account the server took the user for, as ``GRANT ... TO`` names it: user and host."""
    user, _, host = str(server.exec_driver_sql("SELECT CURRENT_USER()").scalar()).rpartition("@")
    return user, host


def _like_escaped(name: str) -> str:
    """``name`` in a database-level GRANT, where ``_`` and ``%`` are wildcards: matching itself alone."""
    return re.sub(r"([\\_%])", r"\\\1", name)


def _copy(server: Connection, source: str, target: str) -> None:
    """Everything the migrations made in ``source``, into the empty ``target``.

    Sequences (with their next value) and tables (with their rows) first, foreign keys unchecked
    so in any order; then stored functions and procedures; then views, each made first as a
    stand-in table, so a view over another view finds it whatever their order (as mysqldump does);
    then triggers, after the rows, so copying fires none; then events. The definitions are the
    server's own (``SHOW CREATE``), read while ``source`` is the current database so they name its
    objects unqualified, and made without their ``DEFINER`` (the copy belongs to its maker).
    """
    server.exec_driver_sql("SET SESSION foreign_key_checks = 0")
    server.exec_driver_sql(f"USE {_quoted(source)}")
    objects = _schema_objects(server, source)
    definitions = {
        (kind, name): server.exec_driver_sql(f"SHOW CREATE {kind} {_quoted(name)}").mappings().one()
        for kind, names in objects.items()
        for name in names
    }
    server.exec_driver_sql(f"USE {_quoted(target)}")
    for kind in ("SEQUENCE", "TABLE"):
        for name in objects[kind]:
            server.exec_driver_sql(definitions[kind, name]["Create Table"])
    for name in objects["SEQUENCE"]:
        # Names the server itself listed, quoted: nothing from outside goes into these statements.
        after = server.exec_driver_sql(f"SELECT next_not_cached_value FROM {_quoted(source)}.{_quoted(name)}").scalar()  # noqa: S608
        server.exec_driver_sql(f"SELECT SETVAL({_quoted(name)}, {int(after or 1)}, 0)")
    for name in objects["TABLE"]:
        columns = ", ".join(_quoted(column) for column in _columns(server, source, name, stored_only=True))
        server.exec_driver_sql(
            f"INSERT INTO {_quoted(name)} ({columns}) SELECT {columns} FROM {_quoted(source)}.{_quoted(name)}"  # noqa: S608
        )
    for kind in ("FUNCTION", "PROCEDURE"):
        for name in objects[kind]:
            _create(server, definitions[kind, name], f"Create {kind.title()}")
    for name in objects["VIEW"]:
        stand_in = ", ".join(f"{_quoted(column)} TINYINT" for column in _columns(server, source, name))
        server.exec_driver_sql(f"CREATE TABLE {_quoted(name)} ({stand_in})")
    for name in objects["VIEW"]:
        server.exec_driver_sql(f"DROP TABLE {_quoted(name)}")
        _create(server, definitions["VIEW", name], "Create View")
    for name in objects["TRIGGER"]:
        _create(server, definitions["TRIGGER", name], "SQL Original Statement")
    for name in objects["EVENT"]:
        _create(server, definitions["EVENT", name], "Create Event")


def _schema_objects(server: Connection, schema: str) -> dict[str, list[str]]:
    """The names of ``schema``'s objects by the kind ``SHOW CREATE`` takes; triggers in the order they fire."""
    queries = {
        "SEQUENCE": "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema "
        "AND table_type = 'SEQUENCE'",
        "TABLE": "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema "
        "AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED')",
        "VIEW": "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema AND table_type = 'VIEW'",
        "FUNCTION": "SELECT routine_name FROM information_schema.routines WHERE routine_schema = :schema "
        "AND routine_type = 'FUNCTION'",
        "PROCEDURE": "SELECT routine_name FROM information_schema.routines WHERE routine_schema = :schema "
        "AND routine_type = 'PROCEDURE'",
        "TRIGGER": "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = :schema "
        "ORDER BY event_object_table, action_timing, event_manipulation, action_order",
        "EVENT": "SELECT event_name FROM information_schema.events WHERE event_schema = :schema",
    }
    return {kind: list(server.execute(text(query), {"schema": schema}).scalars()) for kind, query in queries.items()}


def _columns(server: Connection, schema: str, table: str, *, stored_only: bool = False) -> list[str]:
    """The columns of ``table`` in order; with ``stored_only``, those whose values the server does not compute."""
    query = text(
        "SELECT column_name, is_generated FROM information_schema.columns "
        "WHERE table_schema = :schema AND table_name = :table ORDER BY ordinal_position"
    )
    columns = server.execute(query, {"schema": schema, "table": table})
    return [column.column_name for column in columns if column.is_generated == "NEVER" or not stored_only]


def _create(server: Connection, definition: RowMapping, statement: str) -> None:
    """Run the ``statement`` of a ``SHOW CREATE`` row without its ``DEFINER``, in the ``sql_mode`` it was made in."""
    create = DEFINER.sub("", definition[statement], count=1)
    if "sql_mode" not in definition:
        server.exec_driver_sql(create)
        return
    mode = server.exec_driver_sql("SELECT @@SESSION.sql_mode").scalar()
    server.execute(text("SET SESSION sql_mode = :mode"), {"mode": definition["sql_mode"]})
    try:
        server.exec_driver_sql(create)
    finally:
        server.execute(text("SET SESSION sql_mode = :mode"), {"mode": mode})


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
