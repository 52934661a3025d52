"""Fixtures for the template's tests (``tests/`` and each strategy's and database's own tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.baking import PYTHONS, REDIS_SERVER, SERVER_DATABASES, database_support, redis_indexes, scratch_databases


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pythons",
        type=lambda names: names.replace(",", " ").split(),
        default=PYTHONS,
        help="the Pythons the version matrix (-m versions) runs on, oldest first (default: all the projects support)",
    )


@pytest.fixture(scope="session")
def database_servers() -> None:
    """Every database server the baked projects need answers, or the run stops with one line saying which."""
    for database in SERVER_DATABASES:
        if reason := database_support(database).unreachable():
            pytest.exit(reason, returncode=2)


@pytest.fixture
def new_database(database_servers: None, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes a new, empty database for a baked project: ``new_database(database)`` gives its URL.

    Server databases are created on their server and dropped afterwards; file databases are files.
    """
    with scratch_databases(tmp_path) as make:
        yield make


@pytest.fixture(scope="session")
def redis_server() -> None:
    """The Redis server the baked projects with ``cache=redis`` test on answers, or the run stops with one line."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        with Redis.from_url(REDIS_SERVER, socket_connect_timeout=5) as client:
            client.ping()
    except RedisError as exc:
        pytest.exit(f"cannot reach Redis at {REDIS_SERVER} ({exc}): start it, or set TEMPLATE_REDIS_URL", returncode=2)


@pytest.fixture
def redis_url(redis_server: None, worker_id: str) -> str:
    """TEST_REDIS_URL for a baked project: the first of this worker's database indexes (tests/baking.py)."""
    return f"{REDIS_SERVER}/{redis_indexes(worker_id)[0]}"


# The longest tests: a baked project's whole suite, run three times.
LONGEST = "test_suite_with_a_users_own_tables_passes_in_two_random_orders_and_on_xdist"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first: under xdist the short ones then fill in around them, instead of
    two long ones finishing last, each alone on a core."""
    items.sort(key=lambda item: getattr(item, "originalname", item.name) != LONGEST)
