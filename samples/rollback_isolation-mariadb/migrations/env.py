"""Alembic environment: async for the command line, or on a connection handed in by tests.

``alembic upgrade head`` connects with ``DATABASE_URL`` (environment or ``.env``).
The test suite names its own database as ``config.attributes["database_url"]``, or
passes a connection it holds as ``config.attributes["connection"]``: the migrations
then run on it, inside the caller's transaction.
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, ForeignKeyConstraint
from sqlalchemy.exc import DBAPIError

from task_service.core.config import DatabaseSettings
from task_service.core.db import make_engine, unavailable_message
from task_service.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    """``config.attributes["database_url"]`` (the tests), ``sqlalchemy.url``, or ``DATABASE_URL``."""
    url: str | None = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return url or DatabaseSettings().database_url


def drop_indexes_with_their_tables(
    _context: MigrationContext, _revision: object, directives: list[ops.MigrationScript]
) -> None:
    """Leave out of ``alembic revision --autogenerate`` the index drops of a table the same step drops.

    The table takes its indexes with it on every database; dropping an index first is refused
    where a foreign key still needs it (MariaDB's error 1553), so autogenerate's own downgrade
    of a new table with an indexed foreign key would fail.
    """
    for script in directives:
        for step in [*script.upgrade_ops_list, *script.downgrade_ops_list]:
            dropped = {(op.schema, op.table_name) for op in step.ops if isinstance(op, ops.DropTableOp)}
            for op in step.ops:
                if isinstance(op, ops.ModifyTableOps) and (op.schema, op.table_name) in dropped:
                    op.ops = [change for change in op.ops if not isinstance(change, ops.DropIndexOp)]
            step.ops = [op for op in step.ops if not (isinstance(op, ops.ModifyTableOps) and not op.ops)]


def alter_cycle_foreign_keys_after_their_tables(
    _context: MigrationContext, _revision: object, directives: list[ops.MigrationScript]
) -> None:
    """Give each foreign key declared with ``use_alter=True`` (tables that refer to each other) an
    ``op.create_foreign_key`` of its own, after the new tables; the downgrade drops it before them.

    ``alembic revision --autogenerate`` writes it inside ``op.create_table``, where it cannot be
    made before the table it refers to: the table would be made without it, silently.
    """
    for script in directives:
        upgrade = script.upgrade_ops
        if upgrade is None:
            continue
        later: list[ops.MigrateOperation] = []
        for op in upgrade.ops:
            if isinstance(op, ops.CreateTableOp):
                cycle = [item for item in op.columns if isinstance(item, ForeignKeyConstraint) and item.use_alter]
                op.columns = [item for item in op.columns if not any(item is constraint for constraint in cycle)]
                later += [ops.CreateForeignKeyOp.from_constraint(constraint) for constraint in cycle]
        if later:
            upgrade.ops += later
            script.downgrade_ops = upgrade.reverse()


def write_what_the_database_accepts(
    context: MigrationContext, revision: object, directives: list[ops.MigrationScript]
) -> None:
    """``process_revision_directives``: what ``alembic revision --autogenerate`` writes, made to run here."""
    alter_cycle_foreign_keys_after_their_tables(context, revision, directives)
    drop_indexes_with_their_tables(context, revision, directives)


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        process_revision_directives=write_what_the_database_accepts,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    url = database_url()
    engine = make_engine(url)
    try:
        try:
            connection = await engine.connect()
        except (DBAPIError, OSError) as exc:
            # One line on stderr and exit status 1, no traceback.
            raise SystemExit(unavailable_message(url, exc)) from None
        try:
            async with connection.begin():
                await connection.run_sync(do_run_migrations)
        finally:
            await connection.close()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(run_async_migrations())
    else:
        do_run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
