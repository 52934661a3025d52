"""Sync TestClient: plain `def` tests only, and every table is empty after the suite."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.baking import Cookies, bake, databases_for, row_count

# Every database under -m combinations: the default run checks each strategy's isolation on the
# diagonal through the generated suites with a user's own tables (tests/test_generated_projects.py).
pytestmark = pytest.mark.combinations

STRATEGY = "sync_testclient"


@pytest.mark.parametrize("database", databases_for(STRATEGY))
def test_plain_def_tests_leave_empty_tables(
    cookies: Cookies, new_database: Callable[[str], str], database: str
) -> None:
    baked = bake(cookies, STRATEGY, database)
    url = new_database(database)

    result = baked.pytest("tests/test_projects.py", "tests/test_tasks.py", database_url=url)

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert not [path.name for path in (baked.path / "tests").glob("test_*.py") if "async def" in path.read_text()]
    assert row_count(database, url, "projects") == 0
    assert row_count(database, url, "tasks") == 0
