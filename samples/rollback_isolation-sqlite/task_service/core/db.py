import logging
import threading
from typing import Any

from sqlalchemy import Connection, Engine, Update, event
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

logger = logging.getLogger(__name__)

ASYNC_DRIVER = "sqlite+aiosqlite"
# Seconds to wait for a connection, and for a statement, before giving up (see core.config.Settings).
DEFAULT_CONNECT_TIMEOUT = 2.0
DEFAULT_STATEMENT_TIMEOUT = 3.0

# Execution options of a transaction that will write: it takes SQLite's write lock up front.
WRITE_TRANSACTION = {"write_transaction": True}


def async_database_url(url: str | URL) -> str:
    """Accept the URL forms people paste and pick the async driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in {"sqlite"}:
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: this project uses sqlite:///")
    return parsed.set(drivername=ASYNC_DRIVER).render_as_string(hide_password=False)


def is_in_memory(url: str | URL) -> bool:
    parsed = make_url(url)
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


def configure_sqlite(engine: Engine, *, busy_timeout: float = DEFAULT_STATEMENT_TIMEOUT) -> None:
    """Make SQLite behave like a server database under concurrent use.

    - foreign keys are enforced;
    - write-ahead logging: readers never block the writer, nor the writer readers;
    - a writer waits up to ``busy_timeout`` seconds for the write lock instead of failing;
    - SQLAlchemy emits BEGIN itself (the sqlite3 module, which aiosqlite wraps, starts
      transactions lazily, which breaks SAVEPOINT and transactional DDL: the workaround
      from SQLAlchemy's SQLite dialect documentation), and a transaction started with
      ``WRITE_TRANSACTION`` takes the write lock at once (BEGIN IMMEDIATE), so it queues
      behind other writers instead of failing when it upgrades from reading to writing;
      ``isolation_level="AUTOCOMMIT"`` runs each statement on its own, outside a transaction;
    - ``lower()``, and so case-insensitive filters, folds all of Unicode, not only ASCII.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("write_transaction") else "BEGIN")


def _unicode_lower(value: str | None) -> str | None:
    # NULL (None) stays NULL.
    return value and value.lower()


def make_engine(
    url: str | URL,
    *,
    echo: bool = False,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
) -> AsyncEngine:
    """An engine on the database at ``url`` that never waits long (see ``configure_sqlite``).

    A statement waits at most ``statement_timeout`` seconds for the write lock, and a
    request at most ``connect_timeout`` seconds for a pooled connection.
    """
    url = async_database_url(url)
    # SQLAlchemy gives an in-memory database one shared connection (a StaticPool, which has
    # no timeout): every checkout would otherwise see a new, empty database.
    pool = {} if is_in_memory(url) else {"pool_timeout": connect_timeout}
    engine = create_async_engine(url, echo=echo, **pool)
    configure_sqlite(engine.sync_engine, busy_timeout=statement_timeout)

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Dialect, _record: Any, cargs: Any, cparams: Any) -> Any:
        before = set(threading.enumerate())
        try:
            return dialect.loaded_dbapi.connect(*cargs, **cparams)
        except Exception:
            # aiosqlite 0.22 stops its worker thread after a failed connect without waiting for it; the
            # thread then reports to the event loop, which may have closed by then (`alembic upgrade`:
            # a traceback on stderr). It has nothing left to do: wait for it.
            for thread in set(threading.enumerate()) - before:
                if thread.name.endswith("(_connection_worker_thread)"):
                    thread.join(timeout=1)
            raise

    return engine


def how_to_fix(url: URL) -> str:
    return "create the file's directory and make it writable, or correct DATABASE_URL"


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def rows_matched(session: AsyncSession, statement: Update) -> int:
    """Run an UPDATE in the session's transaction; how many rows its WHERE matched (changed or not:
    on MySQL-family servers SQLAlchemy asks for found rows). The rows stay locked until the
    transaction ends. It runs on the session's connection, past the ORM: no object is refreshed."""
    connection = await session.connection()
    return (await connection.execute(statement)).rowcount


def unavailable_reason(error: BaseException) -> str:
    """The first line of what the driver said (not SQLAlchemy's wrapping of it), or the kind of error."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def unavailable_message(url: str | URL, error: BaseException) -> str:
    """One line for a database the service cannot use: the URL tried (password hidden), why, and the fix."""
    parsed = make_url(url)
    tried = parsed.render_as_string(hide_password=True)
    return f"database unavailable at {tried}: {unavailable_reason(error)}; {how_to_fix(parsed)}"


async def warn_if_unavailable(engine: AsyncEngine, url: str | URL) -> None:
    """At start-up, say in one line when the database cannot be used. The service starts anyway:
    requests get a 503 until the database is there, then it is used without a restart."""
    try:
        # Connecting is the check: the server answers, the database exists and lets us in.
        async with engine.connect():
            pass
    except (DBAPIError, OSError) as exc:
        logger.warning(unavailable_message(url, exc))
