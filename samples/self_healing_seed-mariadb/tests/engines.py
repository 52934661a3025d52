"""The async steps of tests/test_database_urls.py's checks on engines the service makes, kept apart
so the test files stay in the strategy's style (plain ``def`` tests run them with asyncio.run)."""

import asyncio

from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from task_service.core.db import make_engine

# How to ask a connection for the limit it puts on each statement.
STATEMENT_TIMEOUT_QUERY = "SELECT @@max_statement_time"
# A connection's id on the server; closing the connection with id :pid; whether it is still there.
BACKEND_ID = text("SELECT connection_id()")
DROP_BACKEND = text("KILL CONNECTION :pid")
BACKEND_EXISTS = text("SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID = :pid")


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


async def answer_after_the_server_drops(database_url: str) -> int:
    """What ``SELECT 1`` gets through the engine once the server closed its pooled connection."""
    engine, admin = make_engine(database_url), make_engine(database_url)
    try:
        async with engine.connect() as connection:
            backend: int = (await connection.execute(BACKEND_ID)).scalar_one()
        async with admin.connect() as connection:
            await connection.execute(DROP_BACKEND, {"pid": backend})
            for _ in range(500):
                if not (await connection.execute(BACKEND_EXISTS, {"pid": backend})).scalar_one():
                    break
                await asyncio.sleep(0.01)
        async with engine.connect() as connection:
            return int((await connection.exec_driver_sql("SELECT 1")).scalar_one())
    finally:
        await engine.dispose()
        await admin.dispose()
