from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

_ASYNC_DRIVER = "postgresql+asyncpg"
_SYNC_DRIVER = "postgresql+psycopg"


def _with_driver(url: str | URL, driver: str) -> URL:
    parsed = make_url(url)
    if parsed.get_backend_name() not in {"postgres", "postgresql"}:
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: this project uses postgresql://")
    return parsed.set(drivername=driver)


def async_database_url(url: str | URL) -> str:
    """Accept the URL forms people paste and pick the async driver."""
    return _with_driver(url, _ASYNC_DRIVER).render_as_string(hide_password=False)


def sync_database_url(url: str | URL) -> str:
    """The same database for synchronous code, such as the test suite's session."""
    return _with_driver(url, _SYNC_DRIVER).render_as_string(hide_password=False)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    return create_async_engine(async_database_url(url), echo=echo, pool_pre_ping=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
