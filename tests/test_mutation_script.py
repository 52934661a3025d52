"""scripts/mutation.py's report: mutants counted per module, and survivors checked against the list."""

from __future__ import annotations

import tomllib

from .baking import TEMPLATE, load_module

mutation = load_module(TEMPLATE / "scripts" / "mutation.py")

STATUSES = {
    "task_service.api.errors.x_error_responses__mutmut_1": "killed",
    "task_service.api.errors.x_error_responses__mutmut_2": "survived",
    "task_service.api.body_limit.xǁDeclaredBodySizeLimitǁ__call____mutmut_3": "killed",
    "task_service.api.body_limit.xǁDeclaredBodySizeLimitǁ__call____mutmut_4": "timeout",
}


def test_mutants_are_counted_per_module_with_the_raw_score() -> None:
    lines = mutation.table("sync_testclient on sqlite", STATUSES).splitlines()

    assert lines[0] == "### sync_testclient on sqlite"
    assert lines[4:] == [
        "| `task_service.api.body_limit` | 2 | 1 | 0 | 1 | 50% |",
        "| `task_service.api.errors` | 2 | 1 | 1 | 0 | 50% |",
        "| `all` | 4 | 2 | 1 | 1 | 50% |",
    ]


def test_every_listed_survivor_has_a_reason_and_names_a_module_of_the_service() -> None:
    listed = tomllib.loads(mutation.SURVIVORS.read_text())

    for table in listed.values():
        for name, reason in table.items():
            assert mutation.MODULE.match(name) and name.startswith(f"{mutation.PACKAGE}."), name
            assert reason.strip(), name
    assert mutation.justified("sync_testclient", "sqlite").keys() >= listed["all"].keys()
