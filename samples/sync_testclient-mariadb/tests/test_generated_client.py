"""A client generated from the OpenAPI document calls the API with its typed functions and models.

The document is what the API's users make their clients from: this makes one, with
openapi-python-client as they would, and walks through the service with it, over the test's
own client. An operation id, a schema or a status the document gets wrong fails here.
"""

import importlib
import json
import subprocess
import sys
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from task_service.main import create_app

PACKAGE = "generated_client"


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The client package openapi-python-client generates from the document, importable."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_text(json.dumps(create_app().openapi()))
    (folder / "config.yml").write_text("post_hooks: []\n")  # no formatting of the generated code
    generator = str(Path(sys.executable).parent / "openapi-python-client")
    command = [generator, "generate", "--path", "openapi.json", "--config", "config.yml", "--meta", "none"]
    # The generator of this environment, on the document just written: no untrusted input.
    result = subprocess.run([*command, "--output-path", PACKAGE], cwd=folder, capture_output=True, text=True)  # noqa: S603
    assert result.returncode == 0 and "Warning" not in result.stdout, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    return importlib.import_module(PACKAGE)


def operation(tag: str, operation_id: str) -> ModuleType:
    """The generated module of one operation: ``api/<tag>/<operation id>.py``."""
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id.replace('-', '_')}")


def test_a_generated_client_walks_through_the_api_typed(
    generated: ModuleType,
    client: TestClient,
    api_headers: dict[str, str],
    unique_name: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The generated client sends through the test's client, which gets the key for this test only.
    for header, value in api_headers.items():
        monkeypatch.setitem(client.headers, header, value)
    api = generated.AuthenticatedClient(base_url=str(client.base_url), token="", prefix="")
    api.set_httpx_client(client)
    models = importlib.import_module(f"{PACKAGE}.models")
    name = unique_name("Typed")

    renamed = models.ProjectUpdate(description="Made by a generated client")
    new_task = models.TaskCreate(title="Read")
    finished = models.TaskUpdate(done=True)

    health = operation("health", "health-read").sync(client=api)
    created = operation("projects", "projects-create").sync(client=api, body=models.ProjectCreate(name=name))
    page = operation("projects", "projects-list").sync(client=api, q=name)
    changed = operation("projects", "projects-update").sync(created.id, client=api, body=renamed)
    task = operation("tasks", "tasks-create").sync(created.id, client=api, body=new_task)
    done = operation("tasks", "tasks-update").sync(created.id, task.id, client=api, body=finished)
    tasks = operation("tasks", "tasks-list").sync(created.id, client=api)
    deleted = operation("projects", "projects-delete").sync_detailed(created.id, client=api)
    gone = operation("projects", "projects-read").sync_detailed(created.id, client=api)

    assert isinstance(health, models.Health) and health.status == "ok"
    assert isinstance(created, models.ProjectRead) and created.name == name
    assert [project.id for project in page.items] == [created.id] and page.total == 1
    assert isinstance(changed, models.ProjectRead) and changed.description == "Made by a generated client"
    assert isinstance(done, models.TaskRead) and (done.id, done.project_id, done.done) == (task.id, created.id, True)
    assert [item.title for item in tasks.items] == ["Read"]
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert isinstance(gone.parsed, models.ErrorMessage) and gone.parsed.detail == f"project {created.id} not found"
