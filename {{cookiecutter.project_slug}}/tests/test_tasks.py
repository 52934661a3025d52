{%- import "choices.j2" as c with context -%}
from collections.abc import Callable
from typing import Any

import pytest
{%- if c.sync %}
from fastapi.testclient import TestClient
{%- else %}
from httpx import AsyncClient
{%- endif %}

from .factories import MakeProject, MakeTask
from .support import SPACES


@pytest.fixture
{{ c.adef }} project(
    client: {{ c.Client }},
    api_headers: dict[str, str],
    unique_name: Callable[[str], str],
) -> dict[str, Any]:
    response = {{ c.aw }}client.post("/api/v1/projects", json={"name": unique_name("With tasks")}, headers=api_headers)
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


{{ c.adef }} test_project_to_tasks_round_trip_through_the_api(
    client: {{ c.Client }}, api_headers: dict[str, str], project: dict[str, Any]
) -> None:
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"

    first = {{ c.aw }}client.post(tasks_url, json={"title": "Write the spec"}, headers=api_headers)
    second = {{ c.aw }}client.post(tasks_url, json={"title": "Ship it", "done": True}, headers=api_headers)
    assert (first.status_code, second.status_code) == (201, 201)
    task = first.json()
    assert task == {"id": task["id"], "project_id": project["id"], "title": "Write the spec", "done": False}

    patched = {{ c.aw }}client.patch(f"{tasks_url}/{task['id']}", json={"done": True}, headers=api_headers)
    assert patched.status_code == 200
    assert patched.json()["done"] is True

    listed = {{ c.aw_open }}client.get(tasks_url, headers=api_headers){{ c.aw_close }}.json()
    assert listed["total"] == 2
    assert [(task["title"], task["done"]) for task in listed["items"]] == [("Write the spec", True), ("Ship it", True)]


{{ c.adef }} test_tasks_are_paginated(client: {{ c.Client }}, api_headers: dict[str, str], project: dict[str, Any]) -> None:
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"
    titles = [f"Step {number}" for number in range(12)]
    for title in titles:
        assert {{ c.aw_open }}client.post(tasks_url, json={"title": title}, headers=api_headers){{ c.aw_close }}.status_code == 201

    pages = [
        {{ c.aw_open }}client.get(tasks_url, params={"limit": 5, "offset": offset}, headers=api_headers){{ c.aw_close }}.json()
        for offset in (0, 5, 10)
    ]

    assert [page["total"] for page in pages] == [12, 12, 12]
    assert [task["title"] for page in pages for task in page["items"]] == titles


{{ c.adef }} test_tasks_stay_with_their_project(
    client: {{ c.Client }}, api_headers: dict[str, str], project: dict[str, Any], unique_name: Callable[[str], str]
) -> None:
    other = {{ c.aw_open }}client.post("/api/v1/projects", json={"name": unique_name("Other")}, headers=api_headers){{ c.aw_close }}.json()
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"
    task = {{ c.aw_open }}client.post(tasks_url, json={"title": "Mine"}, headers=api_headers){{ c.aw_close }}.json()

    foreign_url = f"/api/v1/projects/{other['id']}/tasks/{task['id']}"
    foreign = {{ c.aw }}client.patch(foreign_url, json={"done": True}, headers=api_headers)

    assert foreign.status_code == 404
    assert {{ c.aw_open }}client.get(f"/api/v1/projects/{other['id']}/tasks", headers=api_headers){{ c.aw_close }}.json()["total"] == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "   "}, {"title": "x" * 201}, {"title": "ok", "done": "maybe"}],
    ids=["missing-title", "empty-title", "blank-title", "too-long", "done-not-bool"],
)
{{ c.adef }} test_create_task_rejects_bad_input(
    client: {{ c.Client }}, api_headers: dict[str, str], project: dict[str, Any], body: dict[str, object]
) -> None:
    response = {{ c.aw }}client.post(f"/api/v1/projects/{project['id']}/tasks", json=body, headers=api_headers)

    assert response.status_code == 422


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
{{ c.adef }} test_titles_are_trimmed_and_a_blank_one_is_422(
    client: {{ c.Client }}, api_headers: dict[str, str], project: dict[str, Any], space: str
) -> None:
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"

    created = {{ c.aw }}client.post(tasks_url, json={"title": f"{space}Write it{space}"}, headers=api_headers)
    blank = {{ c.aw }}client.post(tasks_url, json={"title": space * 2}, headers=api_headers)
    renamed = {{ c.aw }}client.patch(
        f"{tasks_url}/{created.json()['id']}", json={"title": f"{space}Ship it{space}"}, headers=api_headers
    )
    blank_rename = {{ c.aw }}client.patch(f"{tasks_url}/{created.json()['id']}", json={"title": space}, headers=api_headers)

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
{{ c.adef }} test_update_task_rejects_bad_input(
    client: {{ c.Client }}, api_headers: dict[str, str], project: dict[str, Any], body: dict[str, object], message: str
) -> None:
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"
    task = {{ c.aw_open }}client.post(tasks_url, json={"title": "Stable"}, headers=api_headers){{ c.aw_close }}.json()

    response = {{ c.aw }}client.patch(f"{tasks_url}/{task['id']}", json=body, headers=api_headers)

    assert response.status_code == 422
    assert [(error["loc"], error["msg"]) for error in response.json()["detail"]] == [(["body", *body], message)]


{{ c.adef }} test_unknown_task_is_404(client: {{ c.Client }}, api_headers: dict[str, str], project: dict[str, Any]) -> None:
    url = f"/api/v1/projects/{project['id']}/tasks/2147483647"
    response = {{ c.aw }}client.patch(url, json={"done": True}, headers=api_headers)

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
{{ c.adef }} test_tasks_of_unknown_or_deleted_projects_are_404(
    client: {{ c.Client }},
    api_headers: dict[str, str],
    project: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, object] | None,
) -> None:
    unknown = {{ c.aw }}client.request(method, f"/api/v1/projects/2147483647{path}", json=body, headers=api_headers)
    {{ c.aw }}client.delete(f"/api/v1/projects/{project['id']}", headers=api_headers)
    deleted = {{ c.aw }}client.request(method, f"/api/v1/projects/{project['id']}{path}", json=body, headers=api_headers)

    assert (unknown.status_code, deleted.status_code) == (404, 404)


{{ c.adef }} test_tasks_made_in_the_database_are_listed_in_order(
    client: {{ c.Client }}, api_headers: dict[str, str], make_project: MakeProject, make_task: MakeTask
) -> None:
    project = {{ c.aw }}make_project()
    first = {{ c.aw }}make_task(project=project, title="First")
    second = {{ c.aw }}make_task(project=project, done=True)

    listed = {{ c.aw_open }}client.get(f"/api/v1/projects/{project.id}/tasks", headers=api_headers){{ c.aw_close }}.json()

    assert listed["total"] == 2
    assert [(task["id"], task["title"], task["done"]) for task in listed["items"]] == [
        (first.id, "First", False),
        (second.id, second.title, True),
    ]
