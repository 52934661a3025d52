import logging
import shlex

from sqlalchemy import Update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

logger = logging.getLogger(__name__)

ASYNC_DRIVER = "postgresql+asyncpg"
# Seconds to wait for a connection, and for a statement, before giving up (see core.config.Settings).
DEFAULT_CONNECT_TIMEOUT = 2.0
DEFAULT_STATEMENT_TIMEOUT = 3.0


def async_database_url(url: str | URL) -> str:
    """Accept the URL forms people paste and pick the async driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in {"postgres", "postgresql"}:
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: this project uses postgresql://")
    return parsed.set(drivername=ASYNC_DRIVER).render_as_string(hide_password=False)


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
    connections are checked before each use, so a lost database is noticed and a
    restored one is used again without a restart. The check costs three round trips per
    checkout; the tests, whose database stays up, turn it off (``check_connections``).
    """
    return create_async_engine(
        async_database_url(url),
        echo=echo,
        pool_pre_ping=check_connections,
        pool_timeout=connect_timeout,
        connect_args={
            "timeout": connect_timeout,
            "command_timeout": statement_timeout,
            "server_settings": {"statement_timeout": str(int(statement_timeout * 1000))},
        },
    )


def how_to_fix(url: URL) -> str:
    user = url.username or "postgres"
    # A URL without a database names the user's own, as libpq does.
    create = ["createdb", "--host", url.host or "localhost", "--port", str(url.port or 5432)]
    create += ["--username", user, url.database or user]
    return f"start the server, create the database ({shlex.join(create)}) or correct DATABASE_URL"


# The server rolled the transaction back so that concurrent ones could go on
# (serialization_failure, deadlock_detected): run again from the start, it can succeed.
CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})


def is_transient_conflict(error: DBAPIError) -> bool:
    """A write conflict with concurrent transactions, not an unavailable database: worth a retry."""
    return getattr(error.orig, "sqlstate", None) in CONFLICT_SQLSTATES


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
