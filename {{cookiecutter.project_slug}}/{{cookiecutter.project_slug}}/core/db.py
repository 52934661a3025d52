{%- set sqlite = cookiecutter.database == "sqlite" -%}
{%- if sqlite -%}
from typing import Any

from sqlalchemy import Connection, Engine, event
{% endif -%}
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
{%- if sqlite %}
from sqlalchemy.pool import StaticPool
{%- endif %}

{% if sqlite -%}
_ASYNC_DRIVER = "sqlite+aiosqlite"
{%- if cookiecutter.test_strategy == "sync_testclient" %}
_SYNC_DRIVER = "sqlite+pysqlite"
{%- endif %}
{%- else -%}
_ASYNC_DRIVER = "postgresql+asyncpg"
{%- if cookiecutter.test_strategy == "sync_testclient" %}
_SYNC_DRIVER = "postgresql+psycopg"
{%- endif %}
{%- endif %}


def _with_driver(url: str | URL, driver: str) -> URL:
    parsed = make_url(url)
    {%- if sqlite %}
    if parsed.get_backend_name() != "sqlite":
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: this project uses sqlite:///")
    {%- else %}
    if parsed.get_backend_name() not in {"postgres", "postgresql"}:
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: this project uses postgresql://")
    {%- endif %}
    return parsed.set(drivername=driver)


def async_database_url(url: str | URL) -> str:
    """Accept the URL forms people paste and pick the async driver."""
    return _with_driver(url, _ASYNC_DRIVER).render_as_string(hide_password=False)
{%- if cookiecutter.test_strategy == "sync_testclient" %}


def sync_database_url(url: str | URL) -> str:
    """The same database for synchronous code, such as the test suite's session."""
    return _with_driver(url, _SYNC_DRIVER).render_as_string(hide_password=False)
{%- endif %}
{%- if sqlite %}


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
{%- endif %}


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    {%- if sqlite %}
    url = async_database_url(url)
    if is_in_memory(url):
        # One shared connection, or every checkout would see a new empty database.
        engine = create_async_engine(url, echo=echo, poolclass=StaticPool)
    else:
        engine = create_async_engine(url, echo=echo)
    configure_sqlite(engine.sync_engine)
    return engine
    {%- else %}
    return create_async_engine(async_database_url(url), echo=echo, pool_pre_ping=True)
    {%- endif %}


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
