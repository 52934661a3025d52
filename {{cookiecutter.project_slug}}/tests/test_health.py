{%- import "choices.j2" as c with context -%}
import pytest
from fastapi import FastAPI
{%- if c.sync %}
from fastapi.testclient import TestClient
{%- else %}
from httpx import AsyncClient
{%- endif %}

from {{ cookiecutter.project_slug }}.api.deps import get_sessionmaker
from {{ cookiecutter.project_slug }}.core.db import make_engine, make_sessionmaker

UNREACHABLE_DATABASE_URL = "{{ c.database.unreachable_url }}"


{{ c.adef }} test_health_checks_the_database(client: {{ c.Client }}) -> None:
    response = {{ c.aw }}client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"{{ ', "cache": "ok"' if c.redis }}}


{{ c.adef }} test_health_is_503_when_the_database_is_unreachable(
    client: {{ c.Client }}, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = make_sessionmaker(make_engine(UNREACHABLE_DATABASE_URL))
    monkeypatch.setitem(app.dependency_overrides, get_sessionmaker, lambda: unreachable)

    response = {{ c.aw }}client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}
