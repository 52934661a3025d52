"""Requests at the same time, through the same ``client``: the database decides who wins."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from task_service.models import Project

NameFactory = Callable[[str], str]


async def in_parallel(calls: Sequence[Callable[[], Awaitable[Response]]]) -> list[Response]:
    """Send every request at once."""
    return list(await asyncio.gather(*(call() for call in calls)))


async def test_of_concurrent_deletes_exactly_one_succeeds(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    name = unique_name("Contested")
    created = (await client.post("/api/v1/projects", json={"name": name}, headers=api_headers)).json()
    delete = partial(client.delete, f"/api/v1/projects/{created['id']}", headers=api_headers)

    responses = await in_parallel([delete] * 8)

    assert sorted(response.status_code for response in responses) == [204] + [404] * 7


async def test_of_concurrent_creates_with_one_name_exactly_one_succeeds(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    create = partial(client.post, "/api/v1/projects", json={"name": unique_name("Race")}, headers=api_headers)

    responses = await in_parallel([create] * 8)

    assert sorted(response.status_code for response in responses) == [201] + [409] * 7


async def test_concurrent_creates_and_reads_all_succeed(
    client: AsyncClient, api_headers: dict[str, str], unique_name: NameFactory
) -> None:
    tag = unique_name("Crowd")
    creates = [
        partial(client.post, "/api/v1/projects", json={"name": f"{tag} {n}"}, headers=api_headers) for n in range(10)
    ]
    assert [response.status_code for response in await in_parallel(creates)] == [201] * 10

    project_id = (await client.get("/api/v1/projects", params={"q": tag}, headers=api_headers)).json()["items"][0]["id"]
    tasks_url = f"/api/v1/projects/{project_id}/tasks"
    tasks = [partial(client.post, tasks_url, json={"title": f"Task {n}"}, headers=api_headers) for n in range(10)]
    assert [response.status_code for response in await in_parallel(tasks)] == [201] * 10

    reads = [partial(client.get, "/api/v1/projects", params={"q": tag}, headers=api_headers)] * 5
    reads += [partial(client.get, tasks_url, headers=api_headers)] * 5
    pages = [response.json() for response in await in_parallel(reads)]
    assert [page["total"] for page in pages] == [10] * 10


async def test_db_session_reads_then_sees_what_the_api_commits(
    client: AsyncClient, api_headers: dict[str, str], db_session: AsyncSession, unique_name: NameFactory
) -> None:
    created = (await client.post("/api/v1/projects", json={"name": unique_name("Watched")}, headers=api_headers)).json()
    deleted_at = select(Project.deleted_at).where(Project.id == created["id"])
    assert await db_session.scalar(deleted_at) is None

    response = await client.delete(f"/api/v1/projects/{created['id']}", headers=api_headers)

    assert response.status_code == 204
    assert await db_session.scalar(deleted_at) is not None
