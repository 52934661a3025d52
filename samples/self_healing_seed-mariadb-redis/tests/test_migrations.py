"""The migrations, checked by pytest-alembic on the test database.

Its built-in checks: a single head; the history upgrades from an empty database, and every
migration downgrades and upgrades again, one at a time; the models match what the migrations
build (``alembic revision --autogenerate`` would find nothing to do). They start from an
empty schema: ``alembic_engine`` is an empty database of their own: DDL here commits at once, so no
transaction could take it back.
The other tests find the schema and data they left.
"""

from collections.abc import Iterator

import alembic.config
import pytest
from pytest_alembic import MigrationContext
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Connection, create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from task_service.core.db import configure_mariadb
from task_service.models import Base

from . import database
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
def alembic_engine(engine: AsyncEngine) -> Iterator[Connection]:
    """An empty database beside the test database, on a synchronous connection (mariadb+pymysql), dropped afterwards."""
    with database.scratch(engine.url.render_as_string(hide_password=False)) as url:
        migrations_engine = create_engine(make_url(url).set(drivername="mariadb+pymysql"))
        configure_mariadb(migrations_engine)
        try:
            with migrations_engine.connect() as connection:
                yield connection
        finally:
            migrations_engine.dispose()


def test_downgrading_to_base_leaves_no_tables(alembic_runner: MigrationContext, alembic_engine: Connection) -> None:
    alembic_runner.migrate_up_to("heads")
    assert set(Base.metadata.tables) <= set(inspect(alembic_engine).get_table_names())

    alembic_runner.migrate_down_to("base")

    assert inspect(alembic_engine).get_table_names() == ["alembic_version"]
