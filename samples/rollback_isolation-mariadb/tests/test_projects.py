from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from task_service.models import Project

from .factories import MakeProject
from .support import SPACES

NameFactory = Callable[[str], str]


async def test_create_project(client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    name = unique_name("Website")
    body = {"name": name, "description": "New site"}
    response = await client.post("/api/v1/projects", json=body, headers=api_headers)

    assert response.status_code == 201
    created = response.json()
    assert created["name"] == name
    assert created["description"] == "New site"
    assert isinstance(created["id"], int)
    assert created["created_at"]


async def test_project_description_is_optional(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    response = await client.post("/api/v1/projects", json={"name": unique_name("Bare")}, headers=api_headers)

    assert response.status_code == 201
    assert response.json()["description"] is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, None], ids=["empty", "blank", "too-long", "null"])
async def test_create_rejects_bad_names(client: AsyncClient, api_headers: dict[str, str], name: str | None) -> None:
    response = await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
async def test_names_are_trimmed_before_they_are_stored_and_compared(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory, space: str
) -> None:
    name = unique_name("Launch")
    created = await client.post("/api/v1/projects", json={"name": f"{space}{space}{name}{space}"}, headers=api_headers)

    assert created.status_code == 201
    assert created.json()["name"] == name
    again = await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)
    assert again.status_code == 409
    listed = (await client.get("/api/v1/projects", params={"q": name}, headers=api_headers)).json()
    assert [project["name"] for project in listed["items"]] == [name]


async def test_names_that_differ_in_case_or_accents_are_different_but_q_ignores_case(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Ünique")
    names = [f"{tag} Launch", f"{tag} launch", f"{tag} Läunch", f"{tag} 🚀 launch"]

    created = [await client.post("/api/v1/projects", json={"name": name}, headers=api_headers) for name in names]
    found = (await client.get("/api/v1/projects", params={"q": f"{tag} LAUNCH"}, headers=api_headers)).json()

    assert [response.status_code for response in created] == [201] * 4
    assert [response.json()["name"] for response in created] == names
    assert [project["name"] for project in found["items"]] == names[:2]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
async def test_a_name_of_whitespace_only_is_422_naming_the_field(
    client: AsyncClient, api_headers: dict[str, str], space: str
) -> None:
    response = await client.post("/api/v1/projects", json={"name": space * 3}, headers=api_headers)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "name"]]


async def test_a_name_is_100_characters_once_trimmed(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Padded").ljust(100, "x")

    accepted = await client.post("/api/v1/projects", json={"name": f"  {name}\u3000"}, headers=api_headers)
    refused = await client.post("/api/v1/projects", json={"name": f" {name}y "}, headers=api_headers)

    assert (accepted.status_code, accepted.json()["name"]) == (201, name)
    assert refused.status_code == 422


async def test_name_of_exactly_100_characters_is_accepted(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Long").ljust(100, "x")
    response = await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert response.status_code == 201
    assert response.json()["name"] == name


async def test_duplicate_live_name_conflicts(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Twin")
    first = await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)
    second = await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert first.status_code == 201
    assert second.status_code == 409
    assert name in second.json()["detail"]


async def test_list_pages_through_many_projects_oldest_first(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Batch")
    created: list[int] = []
    for number in range(25):
        response = await client.post("/api/v1/projects", json={"name": f"{tag} #{number:02}"}, headers=api_headers)
        assert response.status_code == 201
        created.append(response.json()["id"])

    seen: list[int] = []
    for offset in (0, 10, 20):
        params: dict[str, str | int] = {"q": tag, "limit": 10, "offset": offset}
        response = await client.get("/api/v1/projects", params=params, headers=api_headers)
        assert response.status_code == 200
        page = response.json()
        assert page["total"] == 25
        assert (page["limit"], page["offset"]) == (10, offset)
        seen.extend(item["id"] for item in page["items"])

    assert seen == created


async def test_list_defaults_to_pages_of_20_items(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Default page")
    for number in range(21):
        await client.post("/api/v1/projects", json={"name": f"{tag} {number}"}, headers=api_headers)

    page = (await client.get("/api/v1/projects", params={"q": tag}, headers=api_headers)).json()

    assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (20, 21, 20, 0)


@pytest.mark.parametrize(("projects", "offset"), [(3, 10), (1, 1)], ids=["far-past", "just-past"])
async def test_a_page_past_the_end_is_empty_and_still_counts_every_project(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory, projects: int, offset: int
) -> None:
    tag = unique_name("Short list")
    for number in range(projects):
        await client.post("/api/v1/projects", json={"name": f"{tag} {number}"}, headers=api_headers)

    params: dict[str, str | int] = {"q": tag, "limit": 10, "offset": offset}
    page = (await client.get("/api/v1/projects", params=params, headers=api_headers)).json()

    assert (page["items"], page["total"], page["offset"]) == ([], projects, offset)


async def test_q_filters_names_case_insensitively(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("needle")
    for name in (f"Big {tag.upper()} haystack", f"small {tag} pile", "Unrelated " + unique_name("hay")):
        await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    page = (await client.get("/api/v1/projects", params={"q": tag.title()}, headers=api_headers)).json()

    assert page["total"] == 2
    assert [item["name"] for item in page["items"]] == [f"Big {tag.upper()} haystack", f"small {tag} pile"]


async def test_q_matches_wildcard_characters_literally(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("pct")
    await client.post("/api/v1/projects", json={"name": f"{tag} 100% done"}, headers=api_headers)
    await client.post("/api/v1/projects", json={"name": f"{tag} 1000 done"}, headers=api_headers)

    page = (await client.get("/api/v1/projects", params={"q": f"{tag} 100%"}, headers=api_headers)).json()

    assert [item["name"] for item in page["items"]] == [f"{tag} 100% done"]


async def test_q_folds_unicode_case(client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    tag = unique_name("Ünïcode")
    for name in (f"{tag} ÉTÉ", f"{tag} Straße", f"{tag} ΣΟΦΙΑ"):
        await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    for q, expected in (("été", "ÉTÉ"), ("STRASSE", None), ("straße", "Straße"), ("σοφια", "ΣΟΦΙΑ")):
        page = (await client.get("/api/v1/projects", params={"q": f"{tag} {q}"}, headers=api_headers)).json()
        assert [item["name"] for item in page["items"]] == ([f"{tag} {expected}"] if expected else []), q


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}],
    ids=["limit-0", "limit-101", "offset-negative", "limit-text"],
)
async def test_list_rejects_out_of_range_paging(
    client: AsyncClient, api_headers: dict[str, str], params: dict[str, int | str]
) -> None:
    response = await client.get("/api/v1/projects", params=params, headers=api_headers)

    assert response.status_code == 422


async def test_read_project(client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    created = (await client.post("/api/v1/projects", json={"name": unique_name("Read me")}, headers=api_headers)).json()

    response = await client.get(f"/api/v1/projects/{created['id']}", headers=api_headers)

    assert response.status_code == 200
    assert response.json() == created


async def test_unknown_project_is_404(client: AsyncClient, api_headers: dict[str, str]) -> None:
    response = await client.get("/api/v1/projects/2147483647", headers=api_headers)

    assert response.status_code == 404
    assert response.json()["detail"]


async def test_update_project(client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    created = (await client.post("/api/v1/projects", json={"name": unique_name("Old")}, headers=api_headers)).json()
    new_name = unique_name("New")

    response = await client.patch(
        f"/api/v1/projects/{created['id']}", json={"name": new_name, "description": "renamed"}, headers=api_headers
    )

    assert response.status_code == 200
    assert response.json() | {"created_at": None} == created | {
        "name": new_name,
        "description": "renamed",
        "created_at": None,
    }
    assert (await client.get(f"/api/v1/projects/{created['id']}", headers=api_headers)).json()["name"] == new_name


async def test_update_to_a_taken_name_conflicts(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    taken = unique_name("Taken")
    await client.post("/api/v1/projects", json={"name": taken}, headers=api_headers)
    other = (await client.post("/api/v1/projects", json={"name": unique_name("Other")}, headers=api_headers)).json()

    response = await client.patch(f"/api/v1/projects/{other['id']}", json={"name": taken}, headers=api_headers)

    assert response.status_code == 409
    assert (await client.get(f"/api/v1/projects/{other['id']}", headers=api_headers)).json()["name"] == other["name"]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
async def test_update_trims_the_name_before_checking_it(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory, space: str
) -> None:
    taken = unique_name("Taken")
    await client.post("/api/v1/projects", json={"name": taken}, headers=api_headers)
    other = (await client.post("/api/v1/projects", json={"name": unique_name("Other")}, headers=api_headers)).json()
    url = f"/api/v1/projects/{other['id']}"
    new_name = unique_name("Renamed")

    renamed = await client.patch(url, json={"name": f"{space}{new_name}{space}"}, headers=api_headers)
    conflict = await client.patch(url, json={"name": f"{space}{taken}{space}"}, headers=api_headers)
    blank = await client.patch(url, json={"name": space}, headers=api_headers)

    assert (renamed.status_code, renamed.json()["name"]) == (200, new_name)
    assert conflict.status_code == 409
    assert blank.status_code == 422
    assert [error["loc"] for error in blank.json()["detail"]] == [["body", "name"]]
    assert (await client.get(url, headers=api_headers)).json()["name"] == new_name


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": ""}, "String should have at least 1 character"),
        ({"name": None}, "Value error, may be omitted but not null"),
        ({"name": "x" * 101}, "String should have at most 100 characters"),
    ],
    ids=["empty", "null", "too-long"],
)
async def test_update_rejects_bad_names(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory, body: dict[str, object], message: str
) -> None:
    created = (await client.post("/api/v1/projects", json={"name": unique_name("Keep")}, headers=api_headers)).json()

    response = await client.patch(f"/api/v1/projects/{created['id']}", json=body, headers=api_headers)

    assert response.status_code == 422
    assert [(error["loc"], error["msg"]) for error in response.json()["detail"]] == [(["body", "name"], message)]


async def test_update_unknown_project_is_404(client: AsyncClient, api_headers: dict[str, str]) -> None:
    response = await client.patch("/api/v1/projects/2147483647", json={"name": "Nobody"}, headers=api_headers)

    assert response.status_code == 404


async def test_delete_is_soft(
    client: AsyncClient, api_headers: dict[str, str], db_session: AsyncSession, unique_name: NameFactory
) -> None:
    name = unique_name("Doomed")
    created = (await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)).json()

    response = await client.delete(f"/api/v1/projects/{created['id']}", headers=api_headers)

    assert response.status_code == 204
    row = await db_session.get(Project, created["id"])
    assert row is not None, "soft delete must keep the row"
    assert row.deleted_at is not None
    assert row.name == name


async def test_deleted_project_is_gone_from_the_api(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Gone")
    created = (await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)).json()
    url = f"/api/v1/projects/{created['id']}"
    await client.delete(url, headers=api_headers)

    assert (await client.get(url, headers=api_headers)).status_code == 404
    assert (await client.patch(url, json={"name": "Back"}, headers=api_headers)).status_code == 404
    assert (await client.delete(url, headers=api_headers)).status_code == 404
    listed = (await client.get("/api/v1/projects", params={"q": name}, headers=api_headers)).json()
    assert listed["total"] == 0


async def test_deleting_a_project_frees_its_name(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Reusable")
    first = (await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)).json()
    await client.delete(f"/api/v1/projects/{first['id']}", headers=api_headers)

    again = await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert again.status_code == 201
    assert again.json()["id"] != first["id"]


async def test_project_made_in_the_database_is_served(
    client: AsyncClient, api_headers: dict[str, str], make_project: MakeProject
) -> None:
    project = await make_project(description="Made by a factory")

    response = await client.get(f"/api/v1/projects/{project.id}", headers=api_headers)

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["description"]) == (project.id, project.name, "Made by a factory")


async def test_deleted_rows_are_left_out_of_the_list(
    client: AsyncClient, api_headers: dict[str, str], make_project: MakeProject
) -> None:
    live = await make_project()
    await make_project(name=f"{live.name} (deleted)", deleted_at=datetime.now(UTC))

    page = (await client.get("/api/v1/projects", params={"q": live.name}, headers=api_headers)).json()

    assert [item["id"] for item in page["items"]] == [live.id]
