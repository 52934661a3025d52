{%- import "choices.j2" as c with context -%}
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
{%- if c.sync %}
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
{%- else %}
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
{%- endif %}

from {{ cookiecutter.project_slug }}.models import Project

from .factories import MakeProject
from .support import SPACES

NameFactory = Callable[[str], str]


{{ c.strategy.critical_mark }}{{ c.adef }} test_create_project(client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    name = unique_name("Website")
    body = {"name": name, "description": "New site"}
    response = {{ c.aw }}client.post("/api/v1/projects", json=body, headers=api_headers)

    assert response.status_code == 201
    created = response.json()
    assert created["name"] == name
    assert created["description"] == "New site"
    assert isinstance(created["id"], int)
    assert created["created_at"]


{{ c.adef }} test_project_description_is_optional(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    response = {{ c.aw }}client.post("/api/v1/projects", json={"name": unique_name("Bare")}, headers=api_headers)

    assert response.status_code == 201
    assert response.json()["description"] is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, None], ids=["empty", "blank", "too-long", "null"])
{{ c.adef }} test_create_rejects_bad_names(client: {{ c.Client }}, api_headers: dict[str, str], name: str | None) -> None:
    response = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
{{ c.adef }} test_names_are_trimmed_before_they_are_stored_and_compared(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory, space: str
) -> None:
    name = unique_name("Launch")
    created = {{ c.aw }}client.post("/api/v1/projects", json={"name": f"{space}{space}{name}{space}"}, headers=api_headers)

    assert created.status_code == 201
    assert created.json()["name"] == name
    again = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)
    assert again.status_code == 409
    listed = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": name}, headers=api_headers){{ c.aw_close }}.json()
    assert [project["name"] for project in listed["items"]] == [name]


{{ c.adef }} test_names_that_differ_in_case_or_accents_are_different_but_q_ignores_case(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Ünique")
    names = [f"{tag} Launch", f"{tag} launch", f"{tag} Läunch", f"{tag} 🚀 launch"]

    created = [{{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers) for name in names]
    found = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": f"{tag} LAUNCH"}, headers=api_headers){{ c.aw_close }}.json()

    assert [response.status_code for response in created] == [201] * 4
    assert [response.json()["name"] for response in created] == names
    assert [project["name"] for project in found["items"]] == names[:2]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
{{ c.adef }} test_a_name_of_whitespace_only_is_422_naming_the_field(
    client: {{ c.Client }}, api_headers: dict[str, str], space: str
) -> None:
    response = {{ c.aw }}client.post("/api/v1/projects", json={"name": space * 3}, headers=api_headers)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "name"]]


{{ c.adef }} test_a_name_is_100_characters_once_trimmed(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Padded").ljust(100, "x")

    accepted = {{ c.aw }}client.post("/api/v1/projects", json={"name": f"  {name}\u3000"}, headers=api_headers)
    refused = {{ c.aw }}client.post("/api/v1/projects", json={"name": f" {name}y "}, headers=api_headers)

    assert (accepted.status_code, accepted.json()["name"]) == (201, name)
    assert refused.status_code == 422


{{ c.adef }} test_name_of_exactly_100_characters_is_accepted(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Long").ljust(100, "x")
    response = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert response.status_code == 201
    assert response.json()["name"] == name


{{ c.adef }} test_duplicate_live_name_conflicts(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Twin")
    first = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)
    second = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert first.status_code == 201
    assert second.status_code == 409
    assert name in second.json()["detail"]


{{ c.adef }} test_list_pages_through_many_projects_oldest_first(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Batch")
    created: list[int] = []
    for number in range(25):
        response = {{ c.aw }}client.post("/api/v1/projects", json={"name": f"{tag} #{number:02}"}, headers=api_headers)
        assert response.status_code == 201
        created.append(response.json()["id"])

    seen: list[int] = []
    for offset in (0, 10, 20):
        params: dict[str, str | int] = {"q": tag, "limit": 10, "offset": offset}
        response = {{ c.aw }}client.get("/api/v1/projects", params=params, headers=api_headers)
        assert response.status_code == 200
        page = response.json()
        assert page["total"] == 25
        assert (page["limit"], page["offset"]) == (10, offset)
        seen.extend(item["id"] for item in page["items"])

    assert seen == created


{{ c.adef }} test_list_defaults_to_pages_of_20_items(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Default page")
    for number in range(21):
        {{ c.aw }}client.post("/api/v1/projects", json={"name": f"{tag} {number}"}, headers=api_headers)

    page = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": tag}, headers=api_headers){{ c.aw_close }}.json()

    assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (20, 21, 20, 0)


@pytest.mark.parametrize(("projects", "offset"), [(3, 10), (1, 1)], ids=["far-past", "just-past"])
{{ c.adef }} test_a_page_past_the_end_is_empty_and_still_counts_every_project(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory, projects: int, offset: int
) -> None:
    tag = unique_name("Short list")
    for number in range(projects):
        {{ c.aw }}client.post("/api/v1/projects", json={"name": f"{tag} {number}"}, headers=api_headers)

    params: dict[str, str | int] = {"q": tag, "limit": 10, "offset": offset}
    page = {{ c.aw_open }}client.get("/api/v1/projects", params=params, headers=api_headers){{ c.aw_close }}.json()

    assert (page["items"], page["total"], page["offset"]) == ([], projects, offset)


{{ c.adef }} test_q_filters_names_case_insensitively(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("needle")
    for name in (f"Big {tag.upper()} haystack", f"small {tag} pile", "Unrelated " + unique_name("hay")):
        {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    page = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": tag.title()}, headers=api_headers){{ c.aw_close }}.json()

    assert page["total"] == 2
    assert [item["name"] for item in page["items"]] == [f"Big {tag.upper()} haystack", f"small {tag} pile"]


{{ c.adef }} test_q_matches_wildcard_characters_literally(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("pct")
    {{ c.aw }}client.post("/api/v1/projects", json={"name": f"{tag} 100% done"}, headers=api_headers)
    {{ c.aw }}client.post("/api/v1/projects", json={"name": f"{tag} 1000 done"}, headers=api_headers)

    page = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": f"{tag} 100%"}, headers=api_headers){{ c.aw_close }}.json()

    assert [item["name"] for item in page["items"]] == [f"{tag} 100% done"]


{{ c.adef }} test_q_folds_unicode_case(client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    tag = unique_name("Ünïcode")
    for name in (f"{tag} ÉTÉ", f"{tag} Straße", f"{tag} ΣΟΦΙΑ"):
        {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    for q, expected in (("été", "ÉTÉ"), ("STRASSE", None), ("straße", "Straße"), ("σοφια", "ΣΟΦΙΑ")):
        page = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": f"{tag} {q}"}, headers=api_headers){{ c.aw_close }}.json()
        assert [item["name"] for item in page["items"]] == ([f"{tag} {expected}"] if expected else []), q


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}],
    ids=["limit-0", "limit-101", "offset-negative", "limit-text"],
)
{{ c.adef }} test_list_rejects_out_of_range_paging(
    client: {{ c.Client }}, api_headers: dict[str, str], params: dict[str, int | str]
) -> None:
    response = {{ c.aw }}client.get("/api/v1/projects", params=params, headers=api_headers)

    assert response.status_code == 422


{{ c.adef }} test_read_project(client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    created = {{ c.aw_open }}client.post("/api/v1/projects", json={"name": unique_name("Read me")}, headers=api_headers){{ c.aw_close }}.json()

    response = {{ c.aw }}client.get(f"/api/v1/projects/{created['id']}", headers=api_headers)

    assert response.status_code == 200
    assert response.json() == created


{{ c.adef }} test_unknown_project_is_404(client: {{ c.Client }}, api_headers: dict[str, str]) -> None:
    response = {{ c.aw }}client.get("/api/v1/projects/2147483647", headers=api_headers)

    assert response.status_code == 404
    assert response.json()["detail"]


{{ c.adef }} test_update_project(client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    created = {{ c.aw_open }}client.post("/api/v1/projects", json={"name": unique_name("Old")}, headers=api_headers){{ c.aw_close }}.json()
    new_name = unique_name("New")

    response = {{ c.aw }}client.patch(
        f"/api/v1/projects/{created['id']}", json={"name": new_name, "description": "renamed"}, headers=api_headers
    )

    assert response.status_code == 200
    assert response.json() | {"created_at": None} == created | {
        "name": new_name,
        "description": "renamed",
        "created_at": None,
    }
    assert {{ c.aw_open }}client.get(f"/api/v1/projects/{created['id']}", headers=api_headers){{ c.aw_close }}.json()["name"] == new_name


{{ c.adef }} test_update_to_a_taken_name_conflicts(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    taken = unique_name("Taken")
    {{ c.aw }}client.post("/api/v1/projects", json={"name": taken}, headers=api_headers)
    other = {{ c.aw_open }}client.post("/api/v1/projects", json={"name": unique_name("Other")}, headers=api_headers){{ c.aw_close }}.json()

    response = {{ c.aw }}client.patch(f"/api/v1/projects/{other['id']}", json={"name": taken}, headers=api_headers)

    assert response.status_code == 409
    assert {{ c.aw_open }}client.get(f"/api/v1/projects/{other['id']}", headers=api_headers){{ c.aw_close }}.json()["name"] == other["name"]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
{{ c.adef }} test_update_trims_the_name_before_checking_it(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory, space: str
) -> None:
    taken = unique_name("Taken")
    {{ c.aw }}client.post("/api/v1/projects", json={"name": taken}, headers=api_headers)
    other = {{ c.aw_open }}client.post("/api/v1/projects", json={"name": unique_name("Other")}, headers=api_headers){{ c.aw_close }}.json()
    url = f"/api/v1/projects/{other['id']}"
    new_name = unique_name("Renamed")

    renamed = {{ c.aw }}client.patch(url, json={"name": f"{space}{new_name}{space}"}, headers=api_headers)
    conflict = {{ c.aw }}client.patch(url, json={"name": f"{space}{taken}{space}"}, headers=api_headers)
    blank = {{ c.aw }}client.patch(url, json={"name": space}, headers=api_headers)

    assert (renamed.status_code, renamed.json()["name"]) == (200, new_name)
    assert conflict.status_code == 409
    assert blank.status_code == 422
    assert [error["loc"] for error in blank.json()["detail"]] == [["body", "name"]]
    assert {{ c.aw_open }}client.get(url, headers=api_headers){{ c.aw_close }}.json()["name"] == new_name


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": ""}, "String should have at least 1 character"),
        ({"name": None}, "Value error, may be omitted but not null"),
        ({"name": "x" * 101}, "String should have at most 100 characters"),
    ],
    ids=["empty", "null", "too-long"],
)
{{ c.adef }} test_update_rejects_bad_names(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory, body: dict[str, object], message: str
) -> None:
    created = {{ c.aw_open }}client.post("/api/v1/projects", json={"name": unique_name("Keep")}, headers=api_headers){{ c.aw_close }}.json()

    response = {{ c.aw }}client.patch(f"/api/v1/projects/{created['id']}", json=body, headers=api_headers)

    assert response.status_code == 422
    assert [(error["loc"], error["msg"]) for error in response.json()["detail"]] == [(["body", "name"], message)]


{{ c.adef }} test_update_unknown_project_is_404(client: {{ c.Client }}, api_headers: dict[str, str]) -> None:
    response = {{ c.aw }}client.patch("/api/v1/projects/2147483647", json={"name": "Nobody"}, headers=api_headers)

    assert response.status_code == 404


{{ c.adef }} test_delete_is_soft(
    client: {{ c.Client }}, api_headers: dict[str, str], db_session: {{ c.Session }}, unique_name: NameFactory
) -> None:
    name = unique_name("Doomed")
    created = {{ c.aw_open }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers){{ c.aw_close }}.json()

    response = {{ c.aw }}client.delete(f"/api/v1/projects/{created['id']}", headers=api_headers)

    assert response.status_code == 204
    row = {{ c.aw }}db_session.get(Project, created["id"])
    assert row is not None, "soft delete must keep the row"
    assert row.deleted_at is not None
    assert row.name == name


{{ c.adef }} test_deleted_project_is_gone_from_the_api(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Gone")
    created = {{ c.aw_open }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers){{ c.aw_close }}.json()
    url = f"/api/v1/projects/{created['id']}"
    {{ c.aw }}client.delete(url, headers=api_headers)

    assert {{ c.aw_open }}client.get(url, headers=api_headers){{ c.aw_close }}.status_code == 404
    assert {{ c.aw_open }}client.patch(url, json={"name": "Back"}, headers=api_headers){{ c.aw_close }}.status_code == 404
    assert {{ c.aw_open }}client.delete(url, headers=api_headers){{ c.aw_close }}.status_code == 404
    listed = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": name}, headers=api_headers){{ c.aw_close }}.json()
    assert listed["total"] == 0


{{ c.adef }} test_deleting_a_project_frees_its_name(
    client: {{ c.Client }}, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Reusable")
    first = {{ c.aw_open }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers){{ c.aw_close }}.json()
    {{ c.aw }}client.delete(f"/api/v1/projects/{first['id']}", headers=api_headers)

    again = {{ c.aw }}client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert again.status_code == 201
    assert again.json()["id"] != first["id"]


{{ c.adef }} test_project_made_in_the_database_is_served(
    client: {{ c.Client }}, api_headers: dict[str, str], make_project: MakeProject
) -> None:
    project = {{ c.aw }}make_project(description="Made by a factory")

    response = {{ c.aw }}client.get(f"/api/v1/projects/{project.id}", headers=api_headers)

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["description"]) == (project.id, project.name, "Made by a factory")


{{ c.adef }} test_deleted_rows_are_left_out_of_the_list(
    client: {{ c.Client }}, api_headers: dict[str, str], make_project: MakeProject
) -> None:
    live = {{ c.aw }}make_project()
    {{ c.aw }}make_project(name=f"{live.name} (deleted)", deleted_at=datetime.now(UTC))

    page = {{ c.aw_open }}client.get("/api/v1/projects", params={"q": live.name}, headers=api_headers){{ c.aw_close }}.json()

    assert [item["id"] for item in page["items"]] == [live.id]
