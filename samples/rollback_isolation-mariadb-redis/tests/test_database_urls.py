import pytest

from task_service.core.db import async_database_url

PASTED = [
    "mariadb://user:pw@db.example:3306/app",
    "mysql://user:pw@db.example:3306/app",
    "mysql+asyncmy://user:pw@db.example:3306/app",
    "mariadb+asyncmy://user:pw@db.example:3306/app",
    "mysql+pymysql://user:pw@db.example:3306/app",
]


@pytest.mark.parametrize("url", PASTED)
def test_any_pasted_url_gets_the_async_driver(url: str) -> None:
    assert async_database_url(url) == "mariadb+asyncmy://user:pw@db.example:3306/app"


def test_other_databases_are_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'postgresql'"):
        async_database_url("postgresql://user@localhost/app")
