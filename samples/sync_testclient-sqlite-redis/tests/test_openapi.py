"""The OpenAPI document tells the truth, checked two ways.

Property-based: schemathesis generates requests from the document, valid and invalid,
and checks each response against it (no server error, only documented statuses, bodies
and headers as documented, invalid input refused, valid input accepted). And directly:
the error statuses are listed, and the PATCH schemas offer no null the server refuses.

schemathesis is imported where the requests are generated, not at the top: it is heavy,
and only the process that runs these tests needs it (its pytest plugin is off, see pytest.ini).
"""

import json
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from task_service.main import create_app
from task_service.models import ID_MAX

from .conftest import API_KEY

if TYPE_CHECKING:
    from schemathesis import Case
    from schemathesis.specs.openapi.schemas import OpenApiSchema

# Every operation of the API, with the statuses its documentation lists: all of /api/v1 may
# answer API's.
API = {"401", "422", "503"}
WRITE = API
OPERATIONS: dict[tuple[str, str], set[str]] = {
    ("get", "/health"): {"200", "503"},
    ("post", "/api/v1/projects"): WRITE | {"201", "400", "409", "413"},
    ("get", "/api/v1/projects"): API | {"200"},
    ("get", "/api/v1/projects/{project_id}"): API | {"200", "404"},
    ("patch", "/api/v1/projects/{project_id}"): WRITE | {"200", "400", "404", "409", "413"},
    ("delete", "/api/v1/projects/{project_id}"): WRITE | {"204", "404"},
    ("post", "/api/v1/projects/{project_id}/tasks"): WRITE | {"201", "400", "404", "413"},
    ("get", "/api/v1/projects/{project_id}/tasks"): API | {"200", "404"},
    ("patch", "/api/v1/projects/{project_id}/tasks/{task_id}"): WRITE | {"200", "400", "404", "413"},
}


@cache
def openapi() -> dict[str, Any]:
    return create_app().openapi()


@cache
def api_schema() -> "OpenApiSchema":
    import schemathesis

    return schemathesis.openapi.from_dict(openapi())


@cache
def generated_requests(method: str, path: str) -> st.SearchStrategy["Case[Any]"]:
    """Requests for one operation, valid and invalid, generated from the document."""
    from schemathesis import GenerationMode

    operation = api_schema()[path][method.upper()]
    headers = {"X-API-Key": API_KEY}
    return st.one_of([operation.as_strategy(mode, headers=headers) for mode in GenerationMode])


@pytest.fixture
def own_project(client: TestClient, api_headers: dict[str, str], unique_name: Callable[[str], str]) -> int:
    response = client.post("/api/v1/projects", json={"name": unique_name("Generated")}, headers=api_headers)
    assert response.status_code == 201
    project_id: int = response.json()["id"]
    return project_id


def is_valid_id(value: object) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and 1 <= int(text) <= ID_MAX


def aimed_at(case: "Case[Any]", project_id: int) -> dict[str, Any]:
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


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_response_is_as_documented(
    data: st.DataObject, method: str, path: str, client: TestClient, own_project: int
) -> None:
    from schemathesis.specs.openapi.checks import ignored_auth

    case = data.draw(generated_requests(method, path), label="request")

    response = client.request(**aimed_at(case, own_project))

    # ignored_auth sends requests of its own over the network; the key is tested in test_auth.py.
    case.validate_response(response, excluded_checks=[ignored_auth])


def test_every_operation_is_listed() -> None:
    documented = {(method, path) for path, operations in openapi()["paths"].items() for method in operations}

    assert documented == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_status_is_documented(method: str, path: str) -> None:
    assert set(openapi()["paths"][path][method]["responses"]) == OPERATIONS[method, path]


@pytest.mark.parametrize(
    ("model", "field"), [("ProjectUpdate", "name"), ("TaskUpdate", "title"), ("TaskUpdate", "done")]
)
def test_patch_schemas_offer_no_null_the_server_refuses(model: str, field: str) -> None:
    field_schema = openapi()["components"]["schemas"][model]["properties"][field]

    assert "null" not in json.dumps(field_schema)
