"""A write that conflicts with concurrent ones is run again (api.deps.KeyCheckedRoute): a conflict
the database reports is retried and succeeds; one that never clears is a 409 to try again, never
the 503 of an unavailable database.

The conflicts are the server's own errors: the project's INSERT is swapped, on its way to the
driver, for a statement that makes MariaDB report one, as a deadlock would.
"""

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import Engine, event

from task_service.api.deps import CONFLICT_ATTEMPTS

FORCED_CONFLICT = "SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'forced conflict'"
RETRY_LOGGER = "task_service.api.deps"
# The lines the retries log: the request, how it went and the driver's error.
RETRIED = re.compile(r"POST /api/v1/projects conflicted with a concurrent change, retrying: \w+\(.+\)", re.DOTALL)
GAVE_UP = re.compile(
    rf"POST /api/v1/projects still conflicting after {CONFLICT_ATTEMPTS} attempts: \w+\(.+\)", re.DOTALL
)


@contextmanager
def conflicting(name: str, times: int) -> Iterator[list[str]]:
    """The first ``times`` INSERTs of a project named ``name`` fail with the database's conflict error."""
    forced: list[str] = []

    def swap(
        _connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _executemany: bool
    ) -> tuple[str, Any]:
        if len(forced) < times and statement.startswith("INSERT INTO projects") and name in repr(parameters):
            forced.append(statement)
            return FORCED_CONFLICT, ()
        return statement, parameters

    event.listen(Engine, "before_cursor_execute", swap, retval=True)
    try:
        yield forced
    finally:
        event.remove(Engine, "before_cursor_execute", swap)


def retry_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the retries told the operator, a line each: "INFO retried", "WARNING gave up" (or the line itself)."""
    lines = []
    for record in caplog.records:
        if record.name == RETRY_LOGGER:
            message = record.getMessage()
            said = "retried" if RETRIED.fullmatch(message) else "gave up" if GAVE_UP.fullmatch(message) else message
            lines.append(f"{record.levelname} {said}")
    return lines


async def test_a_conflicting_write_is_retried_and_succeeds(
    client: AsyncClient,
    api_headers: dict[str, str],
    unique_name: Callable[[str], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = unique_name("Conflicted")
    caplog.set_level(logging.INFO, logger=RETRY_LOGGER)

    with conflicting(name, times=CONFLICT_ATTEMPTS - 1) as forced:
        created = await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert created.status_code == 201
    assert len(forced) == CONFLICT_ATTEMPTS - 1
    assert retry_log(caplog) == ["INFO retried"] * (CONFLICT_ATTEMPTS - 1)
    listed = (await client.get("/api/v1/projects", params={"q": name}, headers=api_headers)).json()
    assert [project["id"] for project in listed["items"]] == [created.json()["id"]]


async def test_a_conflict_that_never_clears_is_a_409_to_try_again(
    client: AsyncClient,
    api_headers: dict[str, str],
    unique_name: Callable[[str], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = unique_name("Contended")
    caplog.set_level(logging.INFO, logger=RETRY_LOGGER)

    with conflicting(name, times=CONFLICT_ATTEMPTS) as forced:
        refused = await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert refused.status_code == 409
    assert refused.json() == {"detail": "the change conflicted with concurrent changes: try again"}
    assert refused.headers["Retry-After"] == "1"
    assert len(forced) == CONFLICT_ATTEMPTS
    assert retry_log(caplog) == ["INFO retried"] * (CONFLICT_ATTEMPTS - 1) + ["WARNING gave up"]
    listed = (await client.get("/api/v1/projects", params={"q": name}, headers=api_headers)).json()
    assert listed["total"] == 0
