"""Rollback isolation: whatever the suite does, the database is empty afterwards; concurrent requests work."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.baking import Cookies, bake, databases_for, row_count

# Every database under -m combinations: the default run checks each strategy's isolation on the
# diagonal through the generated suites with a user's own tables (tests/test_generated_projects.py).
pytestmark = pytest.mark.combinations

STRATEGY = "rollback_isolation"

CONCURRENT_TEST = """
import asyncio

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from {package}.models import Project


async def test_concurrent_requests_share_the_test_transaction(
    client: AsyncClient, api_headers: dict[str, str], db_session: AsyncSession
) -> None:
    before = await db_session.scalar(select(func.count()).select_from(Project))
    responses = await asyncio.gather(
        *(client.post("/api/v1/projects", json={{"name": f"parallel {{n}}"}}, headers=api_headers) for n in range(10)),
        *(client.get("/api/v1/projects", headers=api_headers) for _ in range(10)),
    )
    assert [response.status_code for response in responses] == [201] * 10 + [200] * 10
    assert await db_session.scalar(select(func.count()).select_from(Project)) == before + 10
"""


@pytest.mark.parametrize("database", databases_for(STRATEGY))
def test_everything_is_rolled_back_and_concurrent_requests_work(
    cookies: Cookies, new_database: Callable[[str], str], database: str
) -> None:
    baked = bake(cookies, STRATEGY, database)
    (baked.path / "tests" / "test_gathered_requests.py").write_text(CONCURRENT_TEST.format(package=baked.package))
    url = new_database(database)

    result = baked.pytest(
        "tests/test_projects.py",
        "tests/test_tasks.py",
        "tests/test_gathered_requests.py",
        database_url=url,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert row_count(database, url, "projects") == 0
    assert row_count(database, url, "tasks") == 0
