# Scenario tests written against contract sections 3 and 4 only, the way a user
# adds tests: plain functions, no markers, no knowledge of the strategy.
import uuid

from sqlalchemy import text


def test_twenty_five_projects_created_in_a_loop_page_through(client, api_headers):
    tag = uuid.uuid4().hex
    ids = []
    for i in range(25):
        response = client.post("/api/v1/projects", json={"name": f"{tag}-{i}"}, headers=api_headers)
        assert response.status_code == 201
        ids.append(response.json()["id"])
    seen, offset = [], 0
    while True:
        response = client.get(
            "/api/v1/projects",
            params={"q": tag, "limit": 7, "offset": offset},
            headers=api_headers,
        )
        page = response.json()
        assert page["total"] == 25
        if not page["items"]:
            break
        seen += [item["id"] for item in page["items"]]
        offset += 7
    assert seen == ids


def test_soft_delete_keeps_the_row(client, api_headers, db_session):
    created = client.post(
        "/api/v1/projects",
        json={"name": f"soft-{uuid.uuid4().hex}"},
        headers=api_headers,
    )
    project_id = created.json()["id"]
    assert (client.delete(f"/api/v1/projects/{project_id}", headers=api_headers)).status_code == 204
    row = (db_session.execute(text("SELECT deleted_at FROM projects WHERE id = :id"), {"id": project_id})).one()
    assert row.deleted_at is not None
    assert (client.get(f"/api/v1/projects/{project_id}", headers=api_headers)).status_code == 404


def test_chained_project_then_tasks(client, api_headers):
    project = (
        client.post(
            "/api/v1/projects",
            json={"name": f"chain-{uuid.uuid4().hex}"},
            headers=api_headers,
        )
    ).json()
    task_ids = []
    for title in ("one", "two", "three"):
        response = client.post(
            f"/api/v1/projects/{project['id']}/tasks",
            json={"title": title},
            headers=api_headers,
        )
        assert response.status_code == 201
        assert response.json()["project_id"] == project["id"]
        task_ids.append(response.json()["id"])
    done = client.patch(
        f"/api/v1/projects/{project['id']}/tasks/{task_ids[1]}",
        json={"done": True},
        headers=api_headers,
    )
    assert done.json()["done"] is True
    tasks = (client.get(f"/api/v1/projects/{project['id']}/tasks", headers=api_headers)).json()
    assert [task["done"] for task in tasks["items"]] == [False, True, False]
    assert tasks["total"] == 3


def test_auth_is_required(client, api_headers):
    assert (client.get("/api/v1/projects")).status_code == 401
    assert (client.get("/api/v1/projects", headers={"X-API-Key": "nope"})).status_code == 401
    assert (client.get("/api/v1/projects", headers=api_headers)).status_code == 200
    assert (client.get("/health")).status_code == 200


def test_conflict_and_validation(client, api_headers):
    name = f"dup-{uuid.uuid4().hex}"
    assert (client.post("/api/v1/projects", json={"name": name}, headers=api_headers)).status_code == 201
    assert (client.post("/api/v1/projects", json={"name": name}, headers=api_headers)).status_code == 409
    assert (client.post("/api/v1/projects", json={"name": ""}, headers=api_headers)).status_code == 422
    assert (client.post("/api/v1/projects", json={"name": "x" * 101}, headers=api_headers)).status_code == 422
    assert (client.get("/api/v1/projects", params={"limit": 101}, headers=api_headers)).status_code == 422
