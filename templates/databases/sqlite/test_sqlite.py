"""What only SQLite can get wrong, in a service run as users run it: a database file whose
directory is missing (until it is made), and another connection holding the write lock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.baking import STRATEGIES, Baked, Cookies, bake, database_support
from tests.service import (
    assert_one_line_when_unusable,
    assert_recovers,
    assert_unavailable,
    migrate,
    request,
    running_service,
)

DATABASE = "sqlite"


@pytest.fixture(scope="module")
def project(cookies_session: Cookies) -> Baked:
    return bake(cookies_session, STRATEGIES[0], DATABASE)


def test_a_file_in_a_missing_directory_is_503_then_recovers(project: Baked, tmp_path: Path) -> None:
    path = tmp_path / "not-yet" / "service.sqlite3"
    with running_service(project, f"sqlite:///{path}", tmp_path / "log") as client:
        assert_unavailable(client)
        path.parent.mkdir()
        migrate(project, f"sqlite:///{path}")
        assert_recovers(client)


def test_a_file_in_a_missing_directory_is_one_line_from_alembic_and_the_start_up_log(
    project: Baked, tmp_path: Path
) -> None:
    assert_one_line_when_unusable(project, "sqlite:////nonexistent-directory/app.sqlite3", tmp_path / "log")


def test_a_held_write_lock_is_503_for_writes_only_then_recovers(
    project: Baked, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    database_url = new_database(DATABASE)
    migrate(project, database_url)
    with running_service(project, database_url, tmp_path / "log") as client:
        assert_recovers(client)
        with database_support(DATABASE).write_lock_held(database_url):
            assert_unavailable(client, [("POST", "/api/v1/projects")])
            reads, _ = request(client, "GET", "/api/v1/projects")
            assert reads.status_code == 200, "readers must not wait for the writer"
        assert_recovers(client)
