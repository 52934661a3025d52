"""Test data made straight in the database with polyfactory: valid values, any field overridable.

Tests use them through the ``make_project`` and ``make_task`` fixtures below (a pytest plugin
that tests/conftest.py loads), which bind them to the test's ``db_session``, so the rows are
isolated the way the strategy isolates everything else: ``project = make_project(name="Launch")``,
``make_task(project=project, done=True)``. Your own models get their factories and
fixtures here too; the test infrastructure (conftest.py) knows none of them.
"""

from collections.abc import Callable
from uuid import uuid4

import pytest
from polyfactory import Ignore, Use
from polyfactory.factories.sqlalchemy_factory import SQLAlchemyFactory
from sqlalchemy.orm import Session

from task_service.models import Project, Task

MakeProject = Callable[..., Project]
MakeTask = Callable[..., Task]


class ProjectFactory(SQLAlchemyFactory[Project]):
    """A live project with a name no other test uses; ids and timestamps come from the database."""

    __set_primary_key__ = False
    __set_relationships__ = False

    name = Use(lambda: f"Project {uuid4().hex[:12]}")
    deleted_at = None
    created_at = Ignore()
    updated_at = Ignore()


class TaskFactory(SQLAlchemyFactory[Task]):
    """An open task; pass its ``project`` (or ``project_id``)."""

    __set_primary_key__ = False
    __set_foreign_keys__ = False
    __set_relationships__ = False

    title = Use(lambda: f"Task {uuid4().hex[:8]}")
    done = False
    created_at = Ignore()


@pytest.fixture
def make_project(db_session: Session) -> MakeProject:
    """Make projects straight in the database, through ``db_session``."""
    return ProjectFactory.create_factory(__session__=db_session).create_sync


@pytest.fixture
def make_task(db_session: Session) -> MakeTask:
    """Make tasks straight in the database, through ``db_session``: ``make_task(project=...)``."""
    return TaskFactory.create_factory(__session__=db_session).create_sync
