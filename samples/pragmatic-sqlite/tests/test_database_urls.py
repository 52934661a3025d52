"""How the service reaches its database: the URLs it takes, the limits its engine sets, and the one
line it writes when it cannot use the database."""

import pytest
from sqlalchemy.exc import OperationalError

from task_service.core.db import async_database_url, is_in_memory, make_engine, make_sessionmaker, unavailable_message

from .engines import engine_limits, rows_another_connection_sees

# A URL the service cannot use, as the one line about it shows it (no password), and the fix it names.
UNUSABLE = [
    (
        "sqlite:////nonexistent-directory/db.sqlite3",
        "sqlite:////nonexistent-directory/db.sqlite3",
        "create the file's directory and make it writable, or correct DATABASE_URL",
    ),
]
# The limit a connection of the engine puts on each statement, as the server states it for 2.5 s.
STATEMENT_TIMEOUT_SHOWN = 2500
PASTED = [
    "sqlite:///data/app.sqlite3",
    "sqlite+aiosqlite:///data/app.sqlite3",
    "sqlite+pysqlite:///data/app.sqlite3",
]


@pytest.mark.parametrize("url", PASTED)
def test_any_pasted_url_gets_the_async_driver(url: str) -> None:
    assert async_database_url(url) == "sqlite+aiosqlite:///data/app.sqlite3"


def test_other_databases_are_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'postgresql'"):
        async_database_url("postgresql://user@localhost/app")


@pytest.mark.parametrize(("url", "shown", "fix"), UNUSABLE)
def test_the_line_about_an_unusable_database_names_it_why_and_the_fix(url: str, shown: str, fix: str) -> None:
    message = unavailable_message(url, ConnectionRefusedError(111, "Connect call failed"))

    assert message == f"database unavailable at {shown}: [Errno 111] Connect call failed; {fix}"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (OperationalError("SELECT 1", {}, Exception("the driver's first line\nand more")), "the driver's first line"),
        (TimeoutError(), "TimeoutError"),
    ],
    ids=["the-driver-not-sqlalchemy", "no-message-but-its-kind"],
)
def test_the_reason_is_what_the_driver_said_first(error: Exception, reason: str) -> None:
    url, shown, fix = UNUSABLE[0]

    assert unavailable_message(url, error) == f"database unavailable at {shown}: {reason}; {fix}"


async def test_the_engine_waits_no_longer_than_it_is_told(database_url: str) -> None:
    """For a pooled connection, and for each statement."""
    assert await engine_limits(database_url) == (1.5, STATEMENT_TIMEOUT_SHOWN)


def test_the_engine_echoes_sql_only_when_asked(database_url: str) -> None:
    assert (make_engine(database_url).echo, make_engine(database_url, echo=True).echo) == (False, True)


def test_the_service_s_sessions_keep_what_they_committed_readable(database_url: str) -> None:
    """A route answers with the object it just committed: expired, it would load itself again,
    which async code cannot do implicitly (MissingGreenlet)."""
    session = make_sessionmaker(make_engine(database_url))()

    assert session.sync_session.expire_on_commit is False


@pytest.mark.parametrize(
    ("url", "in_memory"),
    [
        ("sqlite://", True),
        ("sqlite:///", True),
        ("sqlite:///:memory:", True),
        ("sqlite:///file:shared?mode=memory&uri=true", True),
        ("sqlite:///app.sqlite3", False),
        ("sqlite:///file:app.sqlite3?mode=rwc&uri=true", False),
    ],
)
def test_an_in_memory_database_is_told_from_a_file(url: str, in_memory: bool) -> None:
    assert is_in_memory(url) is in_memory


async def test_an_in_memory_database_is_one_database_for_every_connection() -> None:
    assert await rows_another_connection_sees("sqlite://") == 1
