"""A write that conflicts with concurrent ones: on SQLite, writers queue for the one write lock
(every write transaction takes it up front, ``BEGIN IMMEDIATE``), each waiting up to the busy
timeout, which is SQLite's own retry. Past it the write is a 409 to try again, never the 503 of an
unavailable database. The lock is held here by another connection, as another process would.
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


def test_a_conflict_that_never_clears_is_a_409_to_try_again(
    client: TestClient, api_headers: dict[str, str], unique_name: Callable[[str], str], database_url: str
) -> None:
    name = unique_name("Contended")

    with write_lock_held(database_url, seconds=DEFAULT_STATEMENT_TIMEOUT + 1):
        refused = client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert refused.status_code == 409
    assert refused.json() == {"detail": "the change conflicted with concurrent changes: try again"}
    assert refused.headers["Retry-After"] == "1"
    listed = client.get("/api/v1/projects", params={"q": name}, headers=api_headers).json()
    assert listed["total"] == 0
