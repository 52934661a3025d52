from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from task_service.api.deps import get_session
from task_service.core.db import create_engine, create_sessionmaker

UNREACHABLE_DATABASE_URL = "postgresql://nobody@127.0.0.1:9/nowhere"


async def test_health_checks_the_database(client: AsyncClient) -> None:
    response = await client.get("/health")

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
async def test_health_is_503_when_the_database_is_unreachable(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}
