"""The migrations, checked by pytest-alembic on the test database.

Its built-in checks: a single head; the history upgrades from an empty database, and every
migration downgrades and upgrades again, one at a time; the models match what the migrations
build (``alembic revision --autogenerate`` would find nothing to do). They start from an
empty schema: ``alembic_engine`` undoes every migration inside a transaction that is rolled
back afterwards.
The other tests find the schema and data they left.
"""

from collections.abc import Iterator

import alembic.config
import pytest
from alembic import command
from pytest_alembic import MigrationContext
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Connection, Engine, create_engine, inspect

from task_service.models import Base

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


@pytest.fixture
def alembic_engine(engine: Engine) -> Iterator[Connection]:
    """The test database at base, on a synchronous connection (postgresql+psycopg) whose transaction is rolled back."""
    migrations_engine = create_engine(engine.url.set(drivername="postgresql+psycopg"))
    try:
        with migrations_engine.connect() as connection:
            transaction = connection.begin()
            # The change log's tables (tests/changes.py) may use your types: out of the migrations' way.
            connection.exec_driver_sql("DROP SCHEMA test_changes CASCADE")
            command.downgrade(alembic_config(connection), "base")
            yield connection
            transaction.rollback()
    finally:
        migrations_engine.dispose()


def test_downgrading_to_base_leaves_no_tables(alembic_runner: MigrationContext, alembic_engine: Connection) -> None:
    alembic_runner.migrate_up_to("heads")
    assert set(Base.metadata.tables) <= set(inspect(alembic_engine).get_table_names())

    alembic_runner.migrate_down_to("base")

    assert inspect(alembic_engine).get_table_names() == ["alembic_version"]
