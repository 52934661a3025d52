"""The OpenAPI document tells the truth, checked two ways.

Property-based: schemathesis generates requests from the document, valid and invalid,
and checks each response against it (no server error, only documented statuses, bodies
and headers as documented, invalid input refused, valid input accepted). And directly:
the error statuses are listed, and the PATCH schemas offer no null the server refuses.

schemathesis is imported where the requests are generated, not at the top: it is heavy,
and only the process that runs these tests needs it (its pytest plugin is off, see pytest.ini).
"""

import json
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from task_service.main import create_app
from task_service.models import ID_MAX, PROJECT_NAME_MAX_LENGTH, TASK_TITLE_MAX_LENGTH

from .conftest import API_KEY

if TYPE_CHECKING:
    from schemathesis import Case
    from schemathesis.specs.openapi.schemas import OpenApiSchema

# Every operation of the API, with the statuses its documentation lists: all of /api/v1 may
# answer API's, every write WRITE's (a 409 when it keeps conflicting with concurrent ones).
API = {"401", "422", "503"}
WRITE = API | {"409"}
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


# Each operation's id: stable and readable, what a generated client names its functions after.
OPERATION_IDS = {
    ("get", "/health"): "health-read",
    ("post", "/api/v1/projects"): "projects-create",
    ("get", "/api/v1/projects"): "projects-list",
    ("get", "/api/v1/projects/{project_id}"): "projects-read",
    ("patch", "/api/v1/projects/{project_id}"): "projects-update",
    ("delete", "/api/v1/projects/{project_id}"): "projects-delete",
    ("post", "/api/v1/projects/{project_id}/tasks"): "tasks-create",
    ("get", "/api/v1/projects/{project_id}/tasks"): "tasks-list",
    ("patch", "/api/v1/projects/{project_id}/tasks/{task_id}"): "tasks-update",
}
# What the document says of each error a route may answer, whose body is ErrorMessage.
ERRORS = {
    "400": "Request body is not UTF-8 text",
    "401": "Missing or invalid API key",
    "404": "Not found, or deleted",
    "409": "A live project already has that name, or the change kept conflicting with concurrent ones: try again",
    "413": "Request body too large",
    "503": "Database unavailable; try again after Retry-After seconds",
}
# The statuses sent with a Retry-After header (a 409 when the change kept conflicting).
RETRY_AFTER = {"409", "503"}


def openapi() -> dict[str, Any]:
    """The document, made anew for each test that reads it (mutation testing sees which tests do)."""
    return create_app().openapi()


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The document's operations by method and path."""
    return {(method, path): item for path, items in document["paths"].items() for method, item in items.items()}


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
    assert operations(openapi()).keys() == OPERATIONS.keys()


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_status_is_documented(method: str, path: str) -> None:
    assert set(openapi()["paths"][path][method]["responses"]) == OPERATIONS[method, path]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_error_is_described_with_its_body(method: str, path: str) -> None:
    responses = openapi()["paths"][path][method]["responses"]

    errors = {code: response for code, response in responses.items() if code in ERRORS}

    assert {code: response["description"] for code, response in errors.items()} == {
        code: ERRORS[code] for code in OPERATIONS[method, path] & ERRORS.keys()
    }
    assert {response["content"]["application/json"]["schema"]["$ref"] for response in errors.values()} == {
        "#/components/schemas/ErrorMessage"
    }


@pytest.mark.parametrize(
    ("model", "field"), [("ProjectUpdate", "name"), ("TaskUpdate", "title"), ("TaskUpdate", "done")]
)
def test_patch_schemas_offer_no_null_the_server_refuses(model: str, field: str) -> None:
    field_schema = openapi()["components"]["schemas"][model]["properties"][field]

    assert "null" not in json.dumps(field_schema)


@pytest.mark.parametrize(
    ("model", "field", "max_length"),
    [("ProjectCreate", "name", PROJECT_NAME_MAX_LENGTH), ("TaskCreate", "title", TASK_TITLE_MAX_LENGTH)],
)
def test_the_document_states_the_rule_for_a_name_as_it_is_checked(model: str, field: str, max_length: int) -> None:
    field_schema = openapi()["components"]["schemas"][model]["properties"][field]
    pattern = re.compile(field_schema["pattern"])

    assert field_schema["description"] == (
        f"1 to {max_length} characters once leading and trailing whitespace is removed (it is not stored)"
    )
    assert pattern.fullmatch(f" x{'-' * (max_length - 2)}x ")
    assert not pattern.fullmatch(f"x{'-' * (max_length - 1)}x")
    assert not pattern.fullmatch(" \t ")


def test_the_document_is_valid_openapi() -> None:
    from openapi_spec_validator import validate

    validate(openapi())  # raises, naming the first thing wrong


def test_the_document_names_the_service_and_where_it_runs() -> None:
    document = openapi()

    assert document["info"]["title"] == "Task Service"
    assert document["info"]["description"] == "An async FastAPI + SQLAlchemy service."
    assert document["servers"] == [{"url": "http://127.0.0.1:8000", "description": "Local: uvicorn or docker compose"}]


def test_every_operation_has_its_stable_id() -> None:
    ids = {key: operation["operationId"] for key, operation in operations(openapi()).items()}

    assert ids == OPERATION_IDS


def test_only_health_is_open_and_every_other_operation_asks_for_the_key() -> None:
    document = openapi()
    security = {key: operation["security"] for key, operation in operations(document).items()}

    assert document["components"]["securitySchemes"] == {
        "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    }
    assert security == {key: [] if key == ("get", "/health") else [{"APIKeyHeader": []}] for key in OPERATIONS}


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_retry_after_is_a_documented_header_where_it_is_sent(method: str, path: str) -> None:
    responses = openapi()["paths"][path][method]["responses"]

    headers = {code: response.get("headers") for code, response in responses.items()}

    assert headers == {
        code: {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}}
        if code in RETRY_AFTER
        else None
        for code in OPERATIONS[method, path]
    }


def test_every_tag_is_declared_with_a_description() -> None:
    document = openapi()
    used = {tag for operation in operations(document).values() for tag in operation["tags"]}

    declared = {tag["name"]: tag["description"] for tag in document["tags"]}

    assert set(declared) == used == {"health", "projects", "tasks"}
    assert all(declared.values())


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_and_parameter_is_described(method: str, path: str) -> None:
    operation = openapi()["paths"][path][method]

    assert operation["summary"] and operation["description"]
    assert [
        parameter["name"] for parameter in operation.get("parameters", []) if not parameter.get("description")
    ] == []


def test_health_answers_with_a_named_model() -> None:
    document = openapi()
    ok = document["paths"]["/health"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert ok == {"$ref": "#/components/schemas/Health"}
    assert document["components"]["schemas"]["Health"]["required"] == ["status"]
