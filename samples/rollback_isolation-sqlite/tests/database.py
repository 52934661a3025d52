"""The test database on SQLite: a file, set up once, copied for each pytest-xdist worker.

``prepare`` and ``discard`` block; the conftest runs them in a thread of their own.
"""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from task_service.core.db import async_database_url, is_in_memory


class DatabaseUnavailable(Exception):
    """The database file cannot be opened; the message names it and the fix."""


def check(database_url: str) -> None:
    """Raise ``DatabaseUnavailable`` unless the database file can be created or opened."""
    path = make_url(database_url).database or ""
    if not is_in_memory(database_url) and not Path(path).parent.is_dir():
        raise DatabaseUnavailable(
            f"cannot open the test database {path}: its directory does not exist\n"
            "Point the tests at a file in a directory that exists: TEST_DATABASE_URL=sqlite:///./test.sqlite3 pytest"
        )


def prepare(database_url: str, worker: str, set_up: Callable[[str], None] | None) -> str:
    """``set_up`` the database file (migrate, ...), unless already done (``set_up`` is None).

    Under xdist, return a copy of it for ``worker``.
    """
    if set_up is not None:
        check(database_url)
        set_up(database_url)
    if worker == "master" or is_in_memory(database_url):
        return database_url
    url = make_url(async_database_url(database_url))
    source = Path(url.database or "")
    copy = source.with_name(f"{source.stem}_{worker}{source.suffix}")
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(copy)) as clone:
        original.backup(clone)
    return url.set(database=str(copy)).render_as_string(hide_password=False)


def discard(database_url: str, worker: str) -> None:
    """Delete the copy ``prepare`` made for ``worker``; the file the tests were pointed at stays."""
    if worker != "master":
        _delete(database_url)


def recreate(database_url: str) -> None:
    """Delete the database file, which is made again, empty, when next opened."""
    _delete(database_url)


@contextmanager
def scratch(database_url: str) -> Iterator[str]:
    """An empty database file beside the one at ``database_url``, deleted afterwards: for the
    migration checks, which must not meet the rows and tables other tests keep there."""
    url = make_url(database_url)
    if is_in_memory(database_url):
        yield url.set(database=":memory:").render_as_string(hide_password=False)
        return
    path = Path(url.database or "")
    scratch = url.set(database=str(path.with_name(f"{path.stem}_scratch{path.suffix}")))
    _delete(scratch.render_as_string(hide_password=False))
    try:
        yield scratch.render_as_string(hide_password=False)
    finally:
        _delete(scratch.render_as_string(hide_password=False))


def _delete(database_url: str) -> None:
    if not is_in_memory(database_url):
        path = Path(make_url(database_url).database or "")
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
