"""How the service reaches its database: the URLs it takes, the limits its engine sets, and the one
line it writes when it cannot use the database."""

import pytest
from sqlalchemy.exc import OperationalError

from task_service.core.db import async_database_url, make_engine, make_sessionmaker, unavailable_message

from .engines import answer_after_the_server_drops, engine_limits

# A URL the service cannot use, as the one line about it shows it (no password), and the fix it names.
UNUSABLE = [
    (
        "postgresql://nobody:secret@127.0.0.1:9/nowhere",
        "postgresql://nobody:***@127.0.0.1:9/nowhere",
        "start the server, create the database (createdb --host 127.0.0.1 --port 9 --username nobody "
        "nowhere) or correct DATABASE_URL",
    ),
    (
        "postgresql://",
        "postgresql://",
        "start the server, create the database (createdb --host localhost --port 5432 --username postgres "
        "postgres) or correct DATABASE_URL",
    ),
]
# The limit a connection of the engine puts on each statement, as the server states it for 2.5 s.
STATEMENT_TIMEOUT_SHOWN = "2500ms"
PASTED = [
    "postgresql://user:pw@db.example:5432/app",
    "postgres://user:pw@db.example:5432/app",
    "postgresql+asyncpg://user:pw@db.example:5432/app",
    "postgresql+psycopg://user:pw@db.example:5432/app",
]


@pytest.mark.parametrize("url", PASTED)
def test_any_pasted_url_gets_the_async_driver(url: str) -> None:
    assert async_database_url(url) == "postgresql+asyncpg://user:pw@db.example:5432/app"


def test_other_databases_are_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'mysql'"):
        async_database_url("mysql://user@localhost/app")


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


async def test_a_pooled_connection_the_server_dropped_is_replaced_unseen(database_url: str) -> None:
    """Dropped while it sat in the pool (a restart, a failover): noticed when next taken out, and
    another one answers instead."""
    assert await answer_after_the_server_drops(database_url) == 1
