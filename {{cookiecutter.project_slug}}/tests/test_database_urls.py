import pytest

{%- if cookiecutter.test_strategy == "sync_testclient" %}

from {{ cookiecutter.project_slug }}.core.db import async_database_url, sync_database_url
{%- else %}

from {{ cookiecutter.project_slug }}.core.db import async_database_url
{%- endif %}
{%- if cookiecutter.database == "postgresql" %}

PASTED = [
    "postgresql://user:pw@db.example:5432/app",
    "postgres://user:pw@db.example:5432/app",
    "postgresql+asyncpg://user:pw@db.example:5432/app",
    "postgresql+psycopg://user:pw@db.example:5432/app",
]


@pytest.mark.parametrize("url", PASTED)
def test_any_pasted_url_gets_the_async_driver(url: str) -> None:
    assert async_database_url(url) == "postgresql+asyncpg://user:pw@db.example:5432/app"
{%- if cookiecutter.test_strategy == "sync_testclient" %}


@pytest.mark.parametrize("url", PASTED)
def test_any_pasted_url_gets_the_sync_driver(url: str) -> None:
    assert sync_database_url(url) == "postgresql+psycopg://user:pw@db.example:5432/app"
{%- endif %}


def test_other_databases_are_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'mysql'"):
        async_database_url("mysql://user@localhost/app")
{%- else %}


@pytest.mark.parametrize("url", ["sqlite:///data/app.sqlite3", "sqlite+aiosqlite:///data/app.sqlite3"])
def test_any_pasted_url_gets_the_async_driver(url: str) -> None:
    assert async_database_url(url) == "sqlite+aiosqlite:///data/app.sqlite3"
{%- if cookiecutter.test_strategy == "sync_testclient" %}


def test_sync_code_gets_the_sqlite3_driver() -> None:
    assert sync_database_url("sqlite+aiosqlite:///data/app.sqlite3") == "sqlite+pysqlite:///data/app.sqlite3"
{%- endif %}


def test_other_databases_are_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'postgresql'"):
        async_database_url("postgresql://user@localhost/app")
{%- endif %}
