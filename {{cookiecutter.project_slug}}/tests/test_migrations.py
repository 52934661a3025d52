{%- import "choices.j2" as c with context -%}
{%- set in_transaction = not c.database.own_migration_database -%}
"""The migrations, checked by pytest-alembic on the test database.

Its built-in checks: a single head; the history upgrades from an empty database, and every
migration downgrades and upgrades again, one at a time; the models match what the migrations
build (``alembic revision --autogenerate`` would find nothing to do). They start from an
empty schema: ``alembic_engine`` {% if in_transaction %}undoes every migration inside a transaction that is rolled
back afterwards{% else %}is an empty database of their own: {{ c.database.own_migration_database }}{% endif %}.
The other tests find the schema and data they left.
"""

from collections.abc import Iterator

import alembic.config
import pytest
{%- if in_transaction %}
from alembic import command
{%- endif %}
from pytest_alembic import MigrationContext
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
{%- if c.sync %}
from sqlalchemy import Connection, Engine, create_engine, inspect
{%- else %}
from sqlalchemy import Connection, create_engine, inspect
{%- endif %}
{%- if not in_transaction %}
from sqlalchemy.engine import make_url
{%- endif %}
{%- if not c.sync %}
from sqlalchemy.ext.asyncio import AsyncEngine
{%- endif %}

{% if c.database.sync_engine_setup -%}
from {{ cookiecutter.project_slug }}.core.db import {{ c.database.sync_engine_setup }}
{% endif -%}
from {{ cookiecutter.project_slug }}.models import Base

{% if not in_transaction -%}
from . import database
{% endif -%}
from .support import alembic_config

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]


@pytest.fixture(name="alembic_config")
def migrations_config() -> alembic.config.Config:
    """This project's alembic.ini, wherever pytest runs from; logging stays pytest's."""
    return alembic_config()


{% if in_transaction -%}
@pytest.fixture
def alembic_engine(engine: {{ c.Engine }}) -> Iterator[Connection]:
    """The test database at base, on a synchronous connection ({{ c.database.sync_driver }}) whose transaction is rolled back."""
    migrations_engine = create_engine(engine.url.set(drivername="{{ c.database.sync_driver }}"))
    {%- if c.database.sync_engine_setup %}
    {{ c.database.sync_engine_setup }}(migrations_engine)
    {%- endif %}
    try:
        with migrations_engine.connect() as connection:
            transaction = connection.begin()
{%- if c.strategy.keeps_baseline and c.database.dialect == "postgresql" %}
            # The change log's tables (tests/changes.py) may use your types: out of the migrations' way.
            connection.exec_driver_sql("DROP SCHEMA test_changes CASCADE")
{%- endif %}
            command.downgrade(alembic_config(connection), "base")
            yield connection
            transaction.rollback()
    finally:
        migrations_engine.dispose()
{%- else -%}
@pytest.fixture
def alembic_engine(engine: {{ c.Engine }}) -> Iterator[Connection]:
    """An empty database beside the test database, on a synchronous connection ({{ c.database.sync_driver }}), dropped afterwards."""
    with database.scratch(engine.url.render_as_string(hide_password=False)) as url:
        migrations_engine = create_engine(make_url(url).set(drivername="{{ c.database.sync_driver }}"))
        {%- if c.database.sync_engine_setup %}
        {{ c.database.sync_engine_setup }}(migrations_engine)
        {%- endif %}
        try:
            with migrations_engine.connect() as connection:
                yield connection
        finally:
            migrations_engine.dispose()
{%- endif %}


def test_downgrading_to_base_leaves_no_tables(alembic_runner: MigrationContext, alembic_engine: Connection) -> None:
    alembic_runner.migrate_up_to("heads")
    assert set(Base.metadata.tables) <= set(inspect(alembic_engine).get_table_names())

    alembic_runner.migrate_down_to("base")

    assert inspect(alembic_engine).get_table_names() == ["alembic_version"]
