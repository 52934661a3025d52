from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

ASYNC_DRIVER = "postgresql+asyncpg"


def async_database_url(url: str | URL) -> str:
    """Accept the URL forms people paste and pick the async driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in {"postgres", "postgresql"}:
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: this project uses postgresql://")
    return parsed.set(drivername=ASYNC_DRIVER).render_as_string(hide_password=False)


def make_engine(url: str | URL, *, echo: bool = False) -> AsyncEngine:
    """An engine on the database at ``url``; connections are checked before each use."""
    return create_async_engine(async_database_url(url), echo=echo, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
