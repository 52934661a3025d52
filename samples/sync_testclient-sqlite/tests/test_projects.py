from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from task_service.models import Project

from .factories import MakeProject
from .support import SPACES

NameFactory = Callable[[str], str]


def test_create_project(client: TestClient, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    name = unique_name("Website")
    body = {"name": name, "description": "New site"}
    response = client.post("/api/v1/projects", json=body, headers=api_headers)

    assert response.status_code == 201
    created = response.json()
    assert created["name"] == name
    assert created["description"] == "New site"
    assert isinstance(created["id"], int)
    assert created["created_at"]


def test_project_description_is_optional(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    response = client.post("/api/v1/projects", json={"name": unique_name("Bare")}, headers=api_headers)

    assert response.status_code == 201
    assert response.json()["description"] is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, None], ids=["empty", "blank", "too-long", "null"])
def test_create_rejects_bad_names(client: TestClient, api_headers: dict[str, str], name: str | None) -> None:
    response = client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
def test_names_are_trimmed_before_they_are_stored_and_compared(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory, space: str
) -> None:
    name = unique_name("Launch")
    created = client.post("/api/v1/projects", json={"name": f"{space}{space}{name}{space}"}, headers=api_headers)

    assert created.status_code == 201
    assert created.json()["name"] == name
    again = client.post("/api/v1/projects", json={"name": name}, headers=api_headers)
    assert again.status_code == 409
    listed = client.get("/api/v1/projects", params={"q": name}, headers=api_headers).json()
    assert [project["name"] for project in listed["items"]] == [name]


def test_names_that_differ_in_case_or_accents_are_different_but_q_ignores_case(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Ünique")
    names = [f"{tag} Launch", f"{tag} launch", f"{tag} Läunch", f"{tag} 🚀 launch"]

    created = [client.post("/api/v1/projects", json={"name": name}, headers=api_headers) for name in names]
    found = client.get("/api/v1/projects", params={"q": f"{tag} LAUNCH"}, headers=api_headers).json()

    assert [response.status_code for response in created] == [201] * 4
    assert [response.json()["name"] for response in created] == names
    assert [project["name"] for project in found["items"]] == names[:2]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
def test_a_name_of_whitespace_only_is_422_naming_the_field(
    client: TestClient, api_headers: dict[str, str], space: str
) -> None:
    response = client.post("/api/v1/projects", json={"name": space * 3}, headers=api_headers)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "name"]]


def test_a_name_is_100_characters_once_trimmed(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Padded").ljust(100, "x")

    accepted = client.post("/api/v1/projects", json={"name": f"  {name}\u3000"}, headers=api_headers)
    refused = client.post("/api/v1/projects", json={"name": f" {name}y "}, headers=api_headers)

    assert (accepted.status_code, accepted.json()["name"]) == (201, name)
    assert refused.status_code == 422


def test_name_of_exactly_100_characters_is_accepted(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Long").ljust(100, "x")
    response = client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert response.status_code == 201
    assert response.json()["name"] == name


def test_duplicate_live_name_conflicts(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Twin")
    first = client.post("/api/v1/projects", json={"name": name}, headers=api_headers)
    second = client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert first.status_code == 201
    assert second.status_code == 409
    assert name in second.json()["detail"]


def test_list_pages_through_many_projects_oldest_first(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Batch")
    created: list[int] = []
    for number in range(25):
        response = client.post("/api/v1/projects", json={"name": f"{tag} #{number:02}"}, headers=api_headers)
        assert response.status_code == 201
        created.append(response.json()["id"])

    seen: list[int] = []
    for offset in (0, 10, 20):
        params: dict[str, str | int] = {"q": tag, "limit": 10, "offset": offset}
        response = client.get("/api/v1/projects", params=params, headers=api_headers)
        assert response.status_code == 200
        page = response.json()
        assert page["total"] == 25
        assert (page["limit"], page["offset"]) == (10, offset)
        seen.extend(item["id"] for item in page["items"])

    assert seen == created


def test_list_defaults_to_pages_of_20_items(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Default page")
    for number in range(21):
        client.post("/api/v1/projects", json={"name": f"{tag} {number}"}, headers=api_headers)

    page = client.get("/api/v1/projects", params={"q": tag}, headers=api_headers).json()

    assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (20, 21, 20, 0)


@pytest.mark.parametrize(("projects", "offset"), [(3, 10), (1, 1)], ids=["far-past", "just-past"])
def test_a_page_past_the_end_is_empty_and_still_counts_every_project(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory, projects: int, offset: int
) -> None:
    tag = unique_name("Short list")
    for number in range(projects):
        client.post("/api/v1/projects", json={"name": f"{tag} {number}"}, headers=api_headers)

    params: dict[str, str | int] = {"q": tag, "limit": 10, "offset": offset}
    page = client.get("/api/v1/projects", params=params, headers=api_headers).json()

    assert (page["items"], page["total"], page["offset"]) == ([], projects, offset)


def test_q_filters_names_case_insensitively(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("needle")
    for name in (f"Big {tag.upper()} haystack", f"small {tag} pile", "Unrelated " + unique_name("hay")):
        client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    page = client.get("/api/v1/projects", params={"q": tag.title()}, headers=api_headers).json()

    assert page["total"] == 2
    assert [item["name"] for item in page["items"]] == [f"Big {tag.upper()} haystack", f"small {tag} pile"]


def test_q_matches_wildcard_characters_literally(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("pct")
    client.post("/api/v1/projects", json={"name": f"{tag} 100% done"}, headers=api_headers)
    client.post("/api/v1/projects", json={"name": f"{tag} 1000 done"}, headers=api_headers)

    page = client.get("/api/v1/projects", params={"q": f"{tag} 100%"}, headers=api_headers).json()

    assert [item["name"] for item in page["items"]] == [f"{tag} 100% done"]


def test_q_folds_unicode_case(client: TestClient, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    tag = unique_name("Ünïcode")
    for name in (f"{tag} ÉTÉ", f"{tag} Straße", f"{tag} ΣΟΦΙΑ"):
        client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    for q, expected in (("été", "ÉTÉ"), ("STRASSE", None), ("straße", "Straße"), ("σοφια", "ΣΟΦΙΑ")):
        page = client.get("/api/v1/projects", params={"q": f"{tag} {q}"}, headers=api_headers).json()
        assert [item["name"] for item in page["items"]] == ([f"{tag} {expected}"] if expected else []), q


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}],
    ids=["limit-0", "limit-101", "offset-negative", "limit-text"],
)
def test_list_rejects_out_of_range_paging(
    client: TestClient, api_headers: dict[str, str], params: dict[str, int | str]
) -> None:
    response = client.get("/api/v1/projects", params=params, headers=api_headers)

    assert response.status_code == 422


def test_read_project(client: TestClient, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    created = client.post("/api/v1/projects", json={"name": unique_name("Read me")}, headers=api_headers).json()

    response = client.get(f"/api/v1/projects/{created['id']}", headers=api_headers)

    assert response.status_code == 200
    assert response.json() == created


def test_unknown_project_is_404(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.get("/api/v1/projects/2147483647", headers=api_headers)

    assert response.status_code == 404
    assert response.json()["detail"]


def test_update_project(client: TestClient, api_headers: dict[str, str], unique_name: NameFactory) -> None:
    created = client.post("/api/v1/projects", json={"name": unique_name("Old")}, headers=api_headers).json()
    new_name = unique_name("New")

    response = client.patch(
        f"/api/v1/projects/{created['id']}", json={"name": new_name, "description": "renamed"}, headers=api_headers
    )

    assert response.status_code == 200
    assert response.json() | {"created_at": None} == created | {
        "name": new_name,
        "description": "renamed",
        "created_at": None,
    }
    assert client.get(f"/api/v1/projects/{created['id']}", headers=api_headers).json()["name"] == new_name


def test_update_to_a_taken_name_conflicts(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    taken = unique_name("Taken")
    client.post("/api/v1/projects", json={"name": taken}, headers=api_headers)
    other = client.post("/api/v1/projects", json={"name": unique_name("Other")}, headers=api_headers).json()

    response = client.patch(f"/api/v1/projects/{other['id']}", json={"name": taken}, headers=api_headers)

    assert response.status_code == 409
    assert client.get(f"/api/v1/projects/{other['id']}", headers=api_headers).json()["name"] == other["name"]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
def test_update_trims_the_name_before_checking_it(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory, space: str
) -> None:
    taken = unique_name("Taken")
    client.post("/api/v1/projects", json={"name": taken}, headers=api_headers)
    other = client.post("/api/v1/projects", json={"name": unique_name("Other")}, headers=api_headers).json()
    url = f"/api/v1/projects/{other['id']}"
    new_name = unique_name("Renamed")

    renamed = client.patch(url, json={"name": f"{space}{new_name}{space}"}, headers=api_headers)
    conflict = client.patch(url, json={"name": f"{space}{taken}{space}"}, headers=api_headers)
    blank = client.patch(url, json={"name": space}, headers=api_headers)

    assert (renamed.status_code, renamed.json()["name"]) == (200, new_name)
    assert conflict.status_code == 409
    assert blank.status_code == 422
    assert [error["loc"] for error in blank.json()["detail"]] == [["body", "name"]]
    assert client.get(url, headers=api_headers).json()["name"] == new_name


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": ""}, "String should have at least 1 character"),
        ({"name": None}, "Value error, may be omitted but not null"),
        ({"name": "x" * 101}, "String should have at most 100 characters"),
    ],
    ids=["empty", "null", "too-long"],
)
def test_update_rejects_bad_names(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory, body: dict[str, object], message: str
) -> None:
    created = client.post("/api/v1/projects", json={"name": unique_name("Keep")}, headers=api_headers).json()

    response = client.patch(f"/api/v1/projects/{created['id']}", json=body, headers=api_headers)

    assert response.status_code == 422
    assert [(error["loc"], error["msg"]) for error in response.json()["detail"]] == [(["body", "name"], message)]


def test_update_unknown_project_is_404(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.patch("/api/v1/projects/2147483647", json={"name": "Nobody"}, headers=api_headers)

    assert response.status_code == 404


def test_delete_is_soft(
    client: TestClient, api_headers: dict[str, str], db_session: Session, unique_name: NameFactory
) -> None:
    name = unique_name("Doomed")
    created = client.post("/api/v1/projects", json={"name": name}, headers=api_headers).json()

    response = client.delete(f"/api/v1/projects/{created['id']}", headers=api_headers)

    assert response.status_code == 204
    row = db_session.get(Project, created["id"])
    assert row is not None, "soft delete must keep the row"
    assert row.deleted_at is not None
    assert row.name == name


def test_deleted_project_is_gone_from_the_api(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Gone")
    created = client.post("/api/v1/projects", json={"name": name}, headers=api_headers).json()
    url = f"/api/v1/projects/{created['id']}"
    client.delete(url, headers=api_headers)

    assert client.get(url, headers=api_headers).status_code == 404
    assert client.patch(url, json={"name": "Back"}, headers=api_headers).status_code == 404
    assert client.delete(url, headers=api_headers).status_code == 404
    listed = client.get("/api/v1/projects", params={"q": name}, headers=api_headers).json()
    assert listed["total"] == 0


def test_deleting_a_project_frees_its_name(
    client: TestClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Reusable")
    first = client.post("/api/v1/projects", json={"name": name}, headers=api_headers).json()
    client.delete(f"/api/v1/projects/{first['id']}", headers=api_headers)

    again = client.post("/api/v1/projects", json={"name": name}, headers=api_headers)

    assert again.status_code == 201
    assert again.json()["id"] != first["id"]


def test_project_made_in_the_database_is_served(
    client: TestClient, api_headers: dict[str, str], make_project: MakeProject
) -> None:
    project = make_project(description="Made by a factory")

    response = client.get(f"/api/v1/projects/{project.id}", headers=api_headers)

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["description"]) == (project.id, project.name, "Made by a factory")


def test_deleted_rows_are_left_out_of_the_list(
    client: TestClient, api_headers: dict[str, str], make_project: MakeProject
) -> None:
    live = make_project()
    make_project(name=f"{live.name} (deleted)", deleted_at=datetime.now(UTC))

    page = client.get("/api/v1/projects", params={"q": live.name}, headers=api_headers).json()

    assert [item["id"] for item in page["items"]] == [live.id]
