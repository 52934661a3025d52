import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from task_service.api.deps import get_sessionmaker
from task_service.core.db import make_engine, make_sessionmaker

UNREACHABLE_DATABASE_URL = "sqlite:////nonexistent-directory/db.sqlite3"


def test_health_checks_the_database(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "cache": "ok"}


def test_health_is_503_when_the_database_is_unreachable(
    client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = make_sessionmaker(make_engine(UNREACHABLE_DATABASE_URL))
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, lambda: unreachable)

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}
