import pytest

from task_service.core.db import async_database_url

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
