"""The OpenAPI document tells the truth, checked two ways.

Property-based: schemathesis generates requests from the document, valid and invalid,
and checks each response against it (no server error, only documented statuses, bodies
and headers as documented, invalid input refused, valid input accepted). And directly:
the error statuses are listed, and the PATCH schemas offer no null the server refuses.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from httpx import AsyncClient
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import ignored_auth

from task_service.main import create_app
from task_service.models import ID_MAX

from .conftest import API_KEY

OPENAPI: dict[str, Any] = create_app().openapi()
schema = schemathesis.openapi.from_dict(OPENAPI)
schema.config.update(headers={"X-API-Key": API_KEY})


@pytest.fixture
async def own_project(client: AsyncClient, api_headers: dict[str, str], unique_name: Callable[[str], str]) -> int:
    response = await client.post("/api/v1/projects", json={"name": unique_name("Generated")}, headers=api_headers)
    assert response.status_code == 201
    project_id: int = response.json()["id"]
    return project_id


def is_valid_id(value: object) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and 1 <= int(text) <= ID_MAX


def aimed_at(case: Case[Any], project_id: int) -> dict[str, Any]:
    """The generated request, with any valid project id replaced by the test's own project.

    So generated writes never touch rows this test did not create; invalid ids stay as generated.
    """
    path_parameters = case.path_parameters or {}
    if "project_id" in path_parameters and is_valid_id(path_parameters["project_id"]):
        path_parameters["project_id"] = project_id
    request = case.as_transport_kwargs()
    request.pop("cookies", None)  # the API uses none
    if "data" in request:
        request["content"] = request.pop("data")
    return request


@schema.parametrize()
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_every_response_is_as_documented(case: Case[Any], client: AsyncClient, own_project: int) -> None:
    response = await client.request(**aimed_at(case, own_project))

    # ignored_auth sends requests of its own over the network; the key is tested in test_auth.py.
    case.validate_response(response, excluded_checks=[ignored_auth])


def statuses(method: str, path: str) -> set[str]:
    return set(OPENAPI["paths"][path][method]["responses"])


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/health", {"200", "503"}),
        ("post", "/api/v1/projects", {"201", "400", "401", "409", "413", "422", "503"}),
        ("get", "/api/v1/projects", {"200", "401", "422", "503"}),
        ("get", "/api/v1/projects/{project_id}", {"200", "401", "404", "422", "503"}),
        ("patch", "/api/v1/projects/{project_id}", {"200", "400", "401", "404", "409", "413", "422", "503"}),
        ("delete", "/api/v1/projects/{project_id}", {"204", "401", "404", "422", "503"}),
        ("post", "/api/v1/projects/{project_id}/tasks", {"201", "400", "401", "404", "413", "422", "503"}),
        ("get", "/api/v1/projects/{project_id}/tasks", {"200", "401", "404", "422", "503"}),
        ("patch", "/api/v1/projects/{project_id}/tasks/{task_id}", {"200", "400", "401", "404", "413", "422", "503"}),
    ],
)
def test_every_status_is_documented(method: str, path: str, expected: set[str]) -> None:
    assert statuses(method, path) == expected


@pytest.mark.parametrize(
    ("model", "field"), [("ProjectUpdate", "name"), ("TaskUpdate", "title"), ("TaskUpdate", "done")]
)
def test_patch_schemas_offer_no_null_the_server_refuses(model: str, field: str) -> None:
    field_schema = OPENAPI["components"]["schemas"][model]["properties"][field]

    assert "null" not in json.dumps(field_schema)
