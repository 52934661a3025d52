"""What every strategy but ``pragmatic`` keeps: the baseline, even after a run that was killed mid-test.

The rest of the promise (reference rows, foreign-key cycles, views and triggers, writes through
``engine``, every database, two random orders and ``-n 2``) is checked by the generated suites
with a user's tables (tests/test_generated_projects.py, tests/user_tables.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pytest_cookies.plugin import Cookies

from .baking import COMBINATIONS, DIAGONAL, bake, bake_id, strategy_settings

# Where a test writes through the engine, then the process dies before any teardown: killed, or out of memory.
KILLED = """
import os

from sqlalchemy import text


async def test_writes_through_the_engine_and_dies(engine):
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO projects (name) VALUES ('left behind')"))
    os._exit(3)
"""
CHECKED = """
from sqlalchemy import text


async def test_what_the_killed_run_wrote_is_gone(db_session):
    assert (await db_session.execute(text("SELECT COUNT(*) FROM projects WHERE name = 'left behind'"))).scalar() == 0
"""
KEEPING = [(strategy, database) for strategy, database in COMBINATIONS if strategy_settings(strategy).keeps_baseline]
# The one in the default command; the rest run with -m combinations.
FIRST = next(pair for pair in DIAGONAL if pair in KEEPING)


@pytest.mark.parametrize(
    ("strategy", "database"),
    [
        pytest.param(
            strategy,
            database,
            id=bake_id(strategy, database),
            # One in the default command; the rest with -m combinations.
            marks=[]
            if (strategy, database) == next(pair for pair in DIAGONAL if pair in KEEPING)
            else [pytest.mark.combinations],
        )
        for strategy, database in KEEPING
    ],
)
def test_a_run_killed_mid_test_leaves_a_database_the_next_run_makes_anew(
    cookies: Cookies, new_database: Callable[[str], str], strategy: str, database: str
) -> None:
    baked = bake(cookies, strategy, database)
    sync = strategy_settings(strategy).sync
    for name, source in (("test_killed.py", KILLED), ("test_checked.py", CHECKED)):
        (baked.path / "tests" / name).write_text(
            re.sub(r"\bawait |\basync (?=def |with )", "", source) if sync else source
        )
    url = new_database(database)

    killed = baked.pytest("tests/test_killed.py", database_url=url)
    assert killed.returncode == 3, killed.stdout[-2000:] + killed.stderr[-2000:]

    again = baked.pytest("-s", "tests/test_checked.py", database_url=url)
    assert again.returncode == 0, again.stdout[-3000:]
    assert "holds changes an earlier run did not put back: making it anew" in again.stdout
