{%- import "choices.j2" as c with context -%}
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
{%- if c.sync %}
from sqlalchemy import Connection, Engine, inspect
{%- else %}
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine
{%- endif %}

from {{ cookiecutter.project_slug }}.models import Base

from .support import alembic_config


def differences_from_models(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def downgrade_to_base_and_back(connection: Connection) -> list[str]:
    config = alembic_config(connection)
    command.downgrade(config, "base")
    tables_at_base = inspect(connection).get_table_names()
    command.upgrade(config, "head")
    return [name for name in tables_at_base if name != "alembic_version"]


def test_migrations_have_a_single_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"merge the migration heads: {heads}"


{{ c.adef }} test_migrations_match_the_models(engine: {{ c.Engine }}) -> None:
    {%- if c.sync %}
    with engine.connect() as connection:
        differences = differences_from_models(connection)
    {%- else %}
    async with engine.connect() as connection:
        differences = await connection.run_sync(differences_from_models)
    {%- endif %}

    assert differences == [], "models and migrations disagree: run `alembic revision --autogenerate`"


{{ c.adef }} test_migrations_downgrade_and_upgrade_cleanly(engine: {{ c.Engine }}) -> None:
    # Inside one transaction that is rolled back: the test database keeps its schema and data.
    {%- if c.sync %}
    with engine.connect() as connection, connection.begin() as transaction:
        leftover_tables = downgrade_to_base_and_back(connection)
        transaction.rollback()
    {%- else %}
    async with engine.connect() as connection, connection.begin() as transaction:
        leftover_tables = await connection.run_sync(downgrade_to_base_and_back)
        await transaction.rollback()
    {%- endif %}

    assert leftover_tables == []
