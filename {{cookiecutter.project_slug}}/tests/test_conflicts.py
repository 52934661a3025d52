{%- import "choices.j2" as c with context -%}
{%- if c.database.forced_conflict -%}
"""A write that conflicts with concurrent ones is run again (api.deps.KeyCheckedRoute): a conflict
the database reports is retried and succeeds; one that never clears is a 409 to try again, never
the 503 of an unavailable database.

The conflicts are the server's own errors: the project's INSERT is swapped, on its way to the
driver, for a statement that makes {{ c.database.label }} report one, as a deadlock would.
"""

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
{%- if c.sync %}
from fastapi.testclient import TestClient
{%- else %}
from httpx import AsyncClient
{%- endif %}
from sqlalchemy import Engine, event

from {{ cookiecutter.project_slug }}.api.deps import CONFLICT_ATTEMPTS

FORCED_CONFLICT = "{{ c.database.forced_conflict }}"
RETRY_LOGGER = "{{ cookiecutter.project_slug }}.api.deps"
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


{{ c.adef }} test_a_conflicting_write_is_retried_and_succeeds(
    client: {{ c.Client }},
    api_headers: dict[str, str],
    unique_name: Callable[[str], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = unique_name("Conflicted")
    caplog.set_level(logging.INFO, logger=RETRY_LOGGER)

    with conflicting(name, times=CONFLICT_ATTEMPTS - 1) as forced:
        created = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert created.status_code == 201
    assert len(forced) == CONFLICT_ATTEMPTS - 1
    assert retry_log(caplog) == ["INFO retried"] * (CONFLICT_ATTEMPTS - 1)
    listed = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": name}, headers=api_headers){{ c.aw_close }}.json()
    assert [project["id"] for project in listed["items"]] == [created.json()["id"]]


{{ c.adef }} test_a_conflict_that_never_clears_is_a_409_to_try_again(
    client: {{ c.Client }},
    api_headers: dict[str, str],
    unique_name: Callable[[str], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = unique_name("Contended")
    caplog.set_level(logging.INFO, logger=RETRY_LOGGER)

    with conflicting(name, times=CONFLICT_ATTEMPTS) as forced:
        refused = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert refused.status_code == 409
    assert refused.json() == {"detail": "the change conflicted with concurrent changes: try again"}
    assert refused.headers["Retry-After"] == "1"
    assert len(forced) == CONFLICT_ATTEMPTS
    assert retry_log(caplog) == ["INFO retried"] * (CONFLICT_ATTEMPTS - 1) + ["WARNING gave up"]
    listed = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": name}, headers=api_headers){{ c.aw_close }}.json()
    assert listed["total"] == 0
{%- else -%}
"""Writes that meet on SQLite: one writer at a time, and every write transaction takes the write
lock when it begins (``BEGIN IMMEDIATE``), so writers queue instead of conflicting, each waiting
up to the busy timeout, which is SQLite's own retry. A lock held past that (by another process
here, as a stuck backup would) means the database cannot be written now: a 503 for writes, until
it is released. The lock is held from another connection.
"""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager

{%- if c.sync %}

from fastapi.testclient import TestClient
{%- else %}

from httpx import AsyncClient
{%- endif %}
from sqlalchemy.engine import make_url

from {{ cookiecutter.project_slug }}.core.db import DEFAULT_STATEMENT_TIMEOUT


@contextmanager
def write_lock_held(database_url: str, seconds: float) -> Iterator[None]:
    """Another connection takes the database's write lock, and gives it back after ``seconds``."""
    with closing(sqlite3.connect(make_url(database_url).database or "", check_same_thread=False)) as other:
        other.execute("BEGIN IMMEDIATE")
        release = threading.Timer(seconds, other.rollback)
        release.start()
        try:
            yield
        finally:
            release.join()


{{ c.adef }} test_a_conflicting_write_is_retried_and_succeeds(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: Callable[[str], str], database_url: str
) -> None:
    name = unique_name("Waited")

    with write_lock_held(database_url, seconds=DEFAULT_STATEMENT_TIMEOUT / 4):
        created = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert created.status_code == 201


{{ c.adef }} test_a_write_lock_held_past_the_busy_timeout_is_unavailable_for_writes(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: Callable[[str], str], database_url: str
) -> None:
    name = unique_name("Locked out")

    with write_lock_held(database_url, seconds=DEFAULT_STATEMENT_TIMEOUT + 1):
        refused = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)
        listed = {{ c.aw }}client.get("/api/v1/projects", params={"q": name}, headers=api_headers)

    assert refused.status_code == 503
    assert refused.json() == {"detail": "database unavailable"}
    assert listed.status_code == 200
    assert listed.json()["total"] == 0
{%- endif %}
