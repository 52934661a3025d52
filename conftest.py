"""Fixtures for the template's tests (``tests/`` and each strategy's own tests): databases to bake into."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.baking import PYTHONS, libpq, postgres_server, scratch_databases


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pythons",
        type=lambda names: names.replace(",", " ").split(),
        default=PYTHONS,
        help="the Pythons the version matrix (-m versions) runs on, oldest first (default: all the projects support)",
    )


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """A PostgreSQL server the tests may create databases on.

    ``TEMPLATE_POSTGRES_URL`` (any database on the server, with CREATEDB rights) wins;
    otherwise a local server on 127.0.0.1:5432 as user postgres.
    """
    url = postgres_server()
    try:
        with psycopg.connect(libpq(url), connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.exit(
            f"no PostgreSQL at {url} ({str(exc).strip().splitlines()[0]}): start one, "
            "or set TEMPLATE_POSTGRES_URL=postgresql://user:pw@host:port/db",
            returncode=2,
        )
    return url


@pytest.fixture
def new_database(postgres_admin_url: str, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes a new, empty database for a baked project: ``new_database("postgresql")`` gives its URL.

    PostgreSQL databases are created on the server and dropped afterwards; SQLite ones are files.
    """
    with scratch_databases(tmp_path) as make:
        yield make
