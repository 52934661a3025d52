"""Pragmatic: data stays between runs by design, and `-m ci_critical` picks the must-pass subset."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.baking import Cookies, bake, databases_for, row_count

# Every database under -m combinations: the default run checks each strategy's isolation on the
# diagonal through the generated suites with a user's own tables (tests/test_generated_projects.py).
pytestmark = pytest.mark.combinations

STRATEGY = "pragmatic"


@pytest.mark.parametrize("database", databases_for(STRATEGY))
def test_data_accumulates_and_critical_tests_can_be_selected(
    cookies: Cookies, new_database: Callable[[str], str], database: str
) -> None:
    baked = bake(cookies, STRATEGY, database)
    url = new_database(database)

    everything = baked.pytest("tests/test_projects.py", "tests/test_auth.py", database_url=url)
    critical = baked.pytest(
        "-m",
        "ci_critical",
        "tests/test_projects.py",
        "tests/test_auth.py",
        database_url=url,
    )

    assert everything.returncode == 0 and critical.returncode == 0, everything.stdout[-3000:] + critical.stdout[-3000:]
    assert row_count(database, url, "projects") > 0, "pragmatic tests leave their data in place"
    ran = [int(re.search(r"(\d+) passed", result.stdout).group(1)) for result in (everything, critical)]  # type: ignore[union-attr]
    assert 0 < ran[1] < ran[0]
