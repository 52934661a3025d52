import logging
import shlex
from typing import Any

from sqlalchemy import Engine, Update, event
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

logger = logging.getLogger(__name__)

ASYNC_DRIVER = "mariadb+asyncmy"
# Seconds to wait for a connection, and for a statement, before giving up (see core.config.Settings).
DEFAULT_CONNECT_TIMEOUT = 2.0
DEFAULT_STATEMENT_TIMEOUT = 3.0


def async_database_url(url: str | URL) -> str:
    """Accept the URL forms people paste and pick the async driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in {"mariadb", "mysql"}:
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: this project uses mariadb://")
    return parsed.set(drivername=ASYNC_DRIVER).render_as_string(hide_password=False)


def configure_mariadb(engine: Engine, *, statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT) -> None:
    """Every connection talks UTC (DATETIME has no time zone) and stops a statement after
    ``statement_timeout`` seconds on the server (``max_statement_time``)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET time_zone = '+00:00', max_statement_time = {float(statement_timeout)}")
        cursor.close()


def make_engine(
    url: str | URL,
    *,
    echo: bool = False,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    check_connections: bool = True,
) -> AsyncEngine:
    """An engine on the database at ``url`` that never waits long.

    Connecting, waiting for a pooled connection and every statement (on the server and,
    should the server stop answering, on the client) are bounded by the timeouts, and
    connections are checked before each use, so a lost database is noticed and a restored
    one is used again without a restart. The tests, whose database stays up, turn the check
    off (``check_connections``).
    """
    engine = create_async_engine(
        async_database_url(url),
        echo=echo,
        pool_pre_ping=check_connections,
        pool_timeout=connect_timeout,
        connect_args={"charset": "utf8mb4", "connect_timeout": connect_timeout, "read_timeout": statement_timeout},
    )
    configure_mariadb(engine.sync_engine, statement_timeout=statement_timeout)

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Dialect, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.loaded_dbapi.connect(*cargs, **cparams)
        except RuntimeError as exc:
            # asyncmy 0.2.18 raises RuntimeError("Transport does not expose socket instance") when the
            # connection is closed during its handshake: a lost connection, as the driver should say.
            raise dialect.loaded_dbapi.OperationalError(2013, f"Lost connection during connect: {exc}") from exc

    return engine


def how_to_fix(url: URL) -> str:
    create = f"CREATE DATABASE {url.database} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    client = ["mariadb", "--host", url.host or "localhost", "--port", str(url.port or 3306)]
    client += ["--user", url.username or "root", "--execute", create]
    return f"start the server, create the database ({shlex.join(client)}) or correct DATABASE_URL"


# InnoDB rolled the transaction back so that a concurrent one could go on (ER_LOCK_DEADLOCK), or
# gave up waiting for a row another one holds (ER_LOCK_WAIT_TIMEOUT): run again, it can succeed.
CONFLICT_ERRORS = frozenset({1205, 1213})


def is_transient_conflict(error: DBAPIError) -> bool:
    """A write conflict with concurrent transactions, not an unavailable database: worth a retry."""
    code = error.orig.args[0] if error.orig is not None and error.orig.args else None
    return code in CONFLICT_ERRORS


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
