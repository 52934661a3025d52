{%- import "choices.j2" as c with context -%}
"""The async steps of tests/test_database_urls.py's checks on engines the service makes, kept apart
so the test files stay in the strategy's style (plain ``def`` tests run them with asyncio.run)."""
{% if c.database.backend_id_query %}
import asyncio

from sqlalchemy import text
from sqlalchemy.pool import QueuePool
{%- else %}
from sqlalchemy.pool import QueuePool
{%- endif %}

from {{ cookiecutter.project_slug }}.core.db import make_engine

# How to ask a connection for the limit it puts on each statement.
STATEMENT_TIMEOUT_QUERY = {{ c.database.statement_timeout_query }}
{%- if c.database.backend_id_query %}
# A connection's id on the server; closing the connection with id :pid; whether it is still there.
BACKEND_ID = text("{{ c.database.backend_id_query }}")
DROP_BACKEND = text("{{ c.database.drop_backend }}")
BACKEND_EXISTS = text("{{ c.database.backend_exists }}")
{%- endif %}


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
{%- if c.database.backend_id_query %}


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
{%- endif %}
{%- if c.database.dialect == "sqlite" %}


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
{%- endif %}
