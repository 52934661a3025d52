from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient

from .factories import MakeProject, MakeTask
from .support import SPACES


@pytest.fixture
async def project(
    client: AsyncClient,
    api_headers: dict[str, str],
    unique_name: Callable[[str], str],
) -> dict[str, Any]:
    response = await client.post("/api/v1/projects", json={"name": unique_name("With tasks")}, headers=api_headers)
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


async def test_project_to_tasks_round_trip_through_the_api(
    client: AsyncClient, api_headers: dict[str, str], project: dict[str, Any]
) -> None:
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"

    first = await client.post(tasks_url, json={"title": "Write the spec"}, headers=api_headers)
    second = await client.post(tasks_url, json={"title": "Ship it", "done": True}, headers=api_headers)
    assert (first.status_code, second.status_code) == (201, 201)
    task = first.json()
    assert task == {"id": task["id"], "project_id": project["id"], "title": "Write the spec", "done": False}

    patched = await client.patch(f"{tasks_url}/{task['id']}", json={"done": True}, headers=api_headers)
    assert patched.status_code == 200
    assert patched.json()["done"] is True

    listed = (await client.get(tasks_url, headers=api_headers)).json()
    assert listed["total"] == 2
    assert [(task["title"], task["done"]) for task in listed["items"]] == [("Write the spec", True), ("Ship it", True)]


async def test_tasks_are_paginated(client: AsyncClient, api_headers: dict[str, str], project: dict[str, Any]) -> None:
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"
    titles = [f"Step {number}" for number in range(12)]
    for title in titles:
        assert (await client.post(tasks_url, json={"title": title}, headers=api_headers)).status_code == 201

    pages = [
        (await client.get(tasks_url, params={"limit": 5, "offset": offset}, headers=api_headers)).json()
        for offset in (0, 5, 10)
    ]

    assert [page["total"] for page in pages] == [12, 12, 12]
    assert [task["title"] for page in pages for task in page["items"]] == titles


async def test_tasks_stay_with_their_project(
    client: AsyncClient, api_headers: dict[str, str], project: dict[str, Any], unique_name: Callable[[str], str]
) -> None:
    other = (await client.post("/api/v1/projects", json={"name": unique_name("Other")}, headers=api_headers)).json()
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"
    task = (await client.post(tasks_url, json={"title": "Mine"}, headers=api_headers)).json()

    foreign_url = f"/api/v1/projects/{other['id']}/tasks/{task['id']}"
    foreign = await client.patch(foreign_url, json={"done": True}, headers=api_headers)

    assert foreign.status_code == 404
    assert (await client.get(f"/api/v1/projects/{other['id']}/tasks", headers=api_headers)).json()["total"] == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "   "}, {"title": "x" * 201}, {"title": "ok", "done": "maybe"}],
    ids=["missing-title", "empty-title", "blank-title", "too-long", "done-not-bool"],
)
async def test_create_task_rejects_bad_input(
    client: AsyncClient, api_headers: dict[str, str], project: dict[str, Any], body: dict[str, object]
) -> None:
    response = await client.post(f"/api/v1/projects/{project['id']}/tasks", json=body, headers=api_headers)

    assert response.status_code == 422


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
async def test_titles_are_trimmed_and_a_blank_one_is_422(
    client: AsyncClient, api_headers: dict[str, str], project: dict[str, Any], space: str
) -> None:
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"

    created = await client.post(tasks_url, json={"title": f"{space}Write it{space}"}, headers=api_headers)
    blank = await client.post(tasks_url, json={"title": space * 2}, headers=api_headers)
    renamed = await client.patch(
        f"{tasks_url}/{created.json()['id']}", json={"title": f"{space}Ship it{space}"}, headers=api_headers
    )
    blank_rename = await client.patch(f"{tasks_url}/{created.json()['id']}", json={"title": space}, headers=api_headers)

    assert (created.status_code, created.json()["title"]) == (201, "Write it")
    assert (renamed.status_code, renamed.json()["title"]) == (200, "Ship it")
    for refused in (blank, blank_rename):
        assert refused.status_code == 422
        assert [error["loc"] for error in refused.json()["detail"]] == [["body", "title"]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": ""}, "String should have at least 1 character"),
        ({"title": None}, "Value error, may be omitted but not null"),
        ({"done": None}, "Value error, may be omitted but not null"),
    ],
    ids=["empty-title", "null-title", "null-done"],
)
async def test_update_task_rejects_bad_input(
    client: AsyncClient, api_headers: dict[str, str], project: dict[str, Any], body: dict[str, object], message: str
) -> None:
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"
    task = (await client.post(tasks_url, json={"title": "Stable"}, headers=api_headers)).json()

    response = await client.patch(f"{tasks_url}/{task['id']}", json=body, headers=api_headers)

    assert response.status_code == 422
    assert [(error["loc"], error["msg"]) for error in response.json()["detail"]] == [(["body", *body], message)]


async def test_unknown_task_is_404(client: AsyncClient, api_headers: dict[str, str], project: dict[str, Any]) -> None:
    url = f"/api/v1/projects/{project['id']}/tasks/2147483647"
    response = await client.patch(url, json={"done": True}, headers=api_headers)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/tasks", {"title": "Orphan"}),
        ("GET", "/tasks", None),
        ("PATCH", "/tasks/1", {"done": True}),
    ],
    ids=["create", "list", "update"],
)
async def test_tasks_of_unknown_or_deleted_projects_are_404(
    client: AsyncClient,
    api_headers: dict[str, str],
    project: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, object] | None,
) -> None:
    unknown = await client.request(method, f"/api/v1/projects/2147483647{path}", json=body, headers=api_headers)
    await client.delete(f"/api/v1/projects/{project['id']}", headers=api_headers)
    deleted = await client.request(method, f"/api/v1/projects/{project['id']}{path}", json=body, headers=api_headers)

    assert (unknown.status_code, deleted.status_code) == (404, 404)


async def test_tasks_made_in_the_database_are_listed_in_order(
    client: AsyncClient, api_headers: dict[str, str], make_project: MakeProject, make_task: MakeTask
) -> None:
    project = await make_project()
    first = await make_task(project=project, title="First")
    second = await make_task(project=project, done=True)

    listed = (await client.get(f"/api/v1/projects/{project.id}/tasks", headers=api_headers)).json()

    assert listed["total"] == 2
    assert [(task["id"], task["title"], task["done"]) for task in listed["items"]] == [
        (first.id, "First", False),
        (second.id, second.title, True),
    ]
