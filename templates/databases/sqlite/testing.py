"""SQLite for the template's own tests (tests/databases.py loads this; it is never rendered).

No server: a scratch database is a file in the test's directory.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

SYNC_DRIVER = "sqlite+pysqlite"


def server() -> None:
    return None


def unreachable() -> None:
    return None


def create(directory: Path) -> str:
    return f"sqlite:///{directory / f'test-{uuid.uuid4().hex[:8]}.sqlite3'}"


def drop(url: str) -> None:
    Path(make_url(url).database or "").unlink(missing_ok=True)


def leftovers(url: str) -> list[str]:
    """The per-worker copies (``<name>_gw*``) of the test database file that still exist."""
    return sorted(path.name for path in Path(make_url(url).database or "").parent.glob("*_gw*"))


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """Another connection holds the database's write lock: readers go on, writers wait."""
    with closing(sqlite3.connect(make_url(url).database or "", isolation_level=None)) as blocker:
        blocker.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            blocker.rollback()
