import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from task_service.api.deps import get_sessionmaker
from task_service.core.db import make_engine, make_sessionmaker

UNREACHABLE_DATABASE_URL = "mariadb://nobody@127.0.0.1:9/nowhere"


async def test_health_checks_the_database(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "cache": "ok"}


async def test_health_is_503_when_the_database_is_unreachable(
    client: AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = make_sessionmaker(make_engine(UNREACHABLE_DATABASE_URL))
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, lambda: unreachable)

    response = await client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}
