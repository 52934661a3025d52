{%- import "tests/flavour.j2" as t with context -%}
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
{%- if t.sync %}
from fastapi.testclient import TestClient
{%- else %}
from httpx import AsyncClient
{%- endif %}
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.project_slug }}.api.deps import get_session
from {{ cookiecutter.project_slug }}.core.db import create_engine, create_sessionmaker

{%- if cookiecutter.database == "postgresql" %}

UNREACHABLE_DATABASE_URL = "postgresql://nobody@127.0.0.1:9/nowhere"
{%- else %}

UNREACHABLE_DATABASE_URL = "sqlite:////nonexistent-directory/db.sqlite3"
{%- endif %}


{{ t.adef }} test_health_checks_the_database(client: {{ t.Client }}) -> None:
    response = {{ t.aw }}client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def unreachable_database(app: FastAPI) -> None:
    """Point the app's sessions at a database nobody serves."""
    sessionmaker = create_sessionmaker(create_engine(UNREACHABLE_DATABASE_URL))

    async def session_on_unreachable_database() -> AsyncIterator[AsyncSession]:
        async with sessionmaker() as session:
            yield session

    app.dependency_overrides[get_session] = session_on_unreachable_database


@pytest.mark.usefixtures("unreachable_database")
{{ t.adef }} test_health_is_503_when_the_database_is_unreachable(client: {{ t.Client }}) -> None:
    response = {{ t.aw }}client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}
