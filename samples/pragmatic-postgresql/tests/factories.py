"""Test data made straight in the database with polyfactory: valid values, any field overridable.

Tests use them through the ``make_project`` and ``make_task`` fixtures (conftest.py), which
bind them to the test's ``db_session``, so the rows are isolated the way the strategy isolates
everything else: ``project = await make_project(name="Launch")``,
``await make_task(project=project, done=True)``.
"""

from collections.abc import Awaitable, Callable
from uuid import uuid4

from polyfactory import Ignore, Use
from polyfactory.factories.sqlalchemy_factory import SQLAlchemyFactory

from task_service.models import Project, Task

MakeProject = Callable[..., Awaitable[Project]]
MakeTask = Callable[..., Awaitable[Task]]


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
