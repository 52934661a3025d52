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

from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from task_service.core.db import DEFAULT_STATEMENT_TIMEOUT


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


def test_a_conflicting_write_is_retried_and_succeeds(
    client: TestClient, api_headers: dict[str, str], unique_name: Callable[[str], str], database_url: str
) -> None:
    name = unique_name("Waited")

    with write_lock_held(database_url, seconds=DEFAULT_STATEMENT_TIMEOUT / 4):
        created = client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert created.status_code == 201


def test_a_write_lock_held_past_the_busy_timeout_is_unavailable_for_writes(
    client: TestClient, api_headers: dict[str, str], unique_name: Callable[[str], str], database_url: str
) -> None:
    name = unique_name("Locked out")

    with write_lock_held(database_url, seconds=DEFAULT_STATEMENT_TIMEOUT + 1):
        refused = client.post("/api/v1/projects", json={"name": name}, headers=api_headers)
        listed = client.get("/api/v1/projects", params={"q": name}, headers=api_headers)

    assert refused.status_code == 503
    assert refused.json() == {"detail": "database unavailable"}
    assert listed.status_code == 200
    assert listed.json()["total"] == 0
