"""The async steps of tests/test_database_urls.py's checks on engines the service makes, kept apart
so the test files stay in the strategy's style (plain ``def`` tests run them with asyncio.run)."""

from sqlalchemy.pool import QueuePool

from task_service.core.db import make_engine

# How to ask a connection for the limit it puts on each statement.
STATEMENT_TIMEOUT_QUERY = "PRAGMA busy_timeout"


async def engine_limits(database_url: str) -> tuple[float, object]:
    """How long an engine made with these timeouts waits for a pooled connection, and the
    statement timeout its connections have."""
    engine = make_engine(database_url, connect_timeout=1.5, statement_timeout=2.5)
    try:
        async with engine.connect() as connection:
            shown = (await connection.exec_driver_sql(STATEMENT_TIMEOUT_QUERY)).scalar()
        assert isinstance(engine.pool, QueuePool)
        return engine.pool.timeout(), shown
    finally:
        await engine.dispose()


async def rows_another_connection_sees(url: str) -> int:
    """Rows one connection of the engine wrote, counted through the next one."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE notes (body TEXT)")
            await connection.exec_driver_sql("INSERT INTO notes VALUES ('kept')")
        async with engine.connect() as connection:
            return int((await connection.exec_driver_sql("SELECT count(*) FROM notes")).scalar_one())
    finally:
        await engine.dispose()
