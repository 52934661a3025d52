import pytest

from task_service.core.db import async_database_url

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
