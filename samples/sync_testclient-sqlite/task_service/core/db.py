from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

ASYNC_DRIVER = "sqlite+aiosqlite"


def async_database_url(url: str | URL) -> str:
    """Accept the URL forms people paste and pick the async driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in {"sqlite"}:
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: this project uses sqlite:///")
    return parsed.set(drivername=ASYNC_DRIVER).render_as_string(hide_password=False)


def is_in_memory(url: str | URL) -> bool:
    parsed = make_url(url)
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


def configure_sqlite(engine: Engine) -> None:
    """Enforce foreign keys and let SQLAlchemy emit BEGIN itself.

    The sqlite3 module (which aiosqlite wraps) starts transactions lazily, which
    breaks SAVEPOINT and transactional DDL; this is the workaround from
    SQLAlchemy's SQLite dialect documentation.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def make_engine(url: str | URL, *, echo: bool = False) -> AsyncEngine:
    """An engine on the database at ``url``, with foreign keys enforced."""
    url = async_database_url(url)
    if is_in_memory(url):
        # One shared connection, or every checkout would see a new empty database.
        engine = create_async_engine(url, echo=echo, poolclass=StaticPool)
    else:
        engine = create_async_engine(url, echo=echo)
    configure_sqlite(engine.sync_engine)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
