"""The live service under concurrent writers, on each database: a conflict is never an outage.

``uvicorn <package>.main:app --workers 2`` on 127.0.0.1, first the race that once gave 503s on
MariaDB (one soft delete against five creates of the same name, some rounds), then ``CLIENTS``
clients for ``SECONDS`` seconds, each sending requests picked at random from a mix of creates on a
few colliding names, renames onto them, soft deletes, re-creates, task writes and paged reads.
Every answer must be one the contract allows (never a 5xx); afterwards the database keeps its
invariants (one live project per name, no task of a deleted project visible, every total equal to
the rows listed). Throughput, p99 latency and the conflicts the service retried are printed.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .baking import DATABASES, STRATEGIES, Baked, Cookies, bake, database_support
from .service import BOUND, HEADERS, migrate, running_service

CLIENTS = 12
SECONDS = 5.0
RACE_ROUNDS = 4
# Few names, so creates, renames and re-creates collide all the time.
NAMES = [f"load {number}" for number in range(4)]
TRY_AGAIN = "the change conflicted with concurrent changes: try again"
# What each kind of request may answer: every write may be a 409 to try again (TRY_AGAIN, when
# it kept conflicting with concurrent ones), creates and renames a 409 for a taken name too.
ALLOWED = {
    "create": {201, 409},
    "rename": {200, 404, 409},
    "delete": {204, 404, 409},
    "add task": {201, 404, 409},
    "finish task": {200, 404, 409},
    "list projects": {200},
    "list tasks": {200, 404},
}


@dataclass
class Load:
    """What the clients saw: every answer by kind, latencies, and the ids they learnt."""

    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    projects: set[int] = field(default_factory=set)
    tasks: dict[int, set[int]] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)

    def record(self, kind: str, response: httpx.Response, seconds: float) -> None:
        self.answers[kind, response.status_code] += 1
        self.latencies.append(seconds)
        if response.status_code not in ALLOWED[kind]:
            self.wrong.append(f"{kind}: {response.status_code} {response.text[:200]}")
        elif response.status_code == 409 and kind not in {"create", "rename"}:
            if response.json() != {"detail": TRY_AGAIN}:
                self.wrong.append(f"{kind}: 409 {response.text[:200]}")


async def send(
    client: httpx.AsyncClient, load: Load, kind: str, method: str, path: str, **kwargs: object
) -> httpx.Response:
    started = time.monotonic()
    response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    load.record(kind, response, time.monotonic() - started)
    return response


async def one_request(client: httpx.AsyncClient, load: Load, rng: random.Random) -> None:
    """One request of the mix, on the projects and tasks the clients know of."""
    kind = rng.choices(list(ALLOWED), weights=[4, 2, 2, 3, 2, 2, 2])[0]
    project = rng.choice(sorted(load.projects)) if load.projects else None
    if kind == "create" or project is None:
        response = await send(client, load, "create", "POST", "/api/v1/projects", json={"name": rng.choice(NAMES)})
        if response.status_code == 201:
            load.projects.add(response.json()["id"])
    elif kind == "rename":
        await send(client, load, kind, "PATCH", f"/api/v1/projects/{project}", json={"name": rng.choice(NAMES)})
    elif kind == "delete":
        await send(client, load, kind, "DELETE", f"/api/v1/projects/{project}")
    elif kind == "add task":
        response = await send(client, load, kind, "POST", f"/api/v1/projects/{project}/tasks", json={"title": "work"})
        if response.status_code == 201:
            load.tasks.setdefault(project, set()).add(response.json()["id"])
    elif kind == "finish task" and load.tasks.get(project):
        task = rng.choice(sorted(load.tasks[project]))
        await send(client, load, kind, "PATCH", f"/api/v1/projects/{project}/tasks/{task}", json={"done": True})
    elif kind == "list projects":
        params = {"q": "load", "limit": rng.randint(1, 5), "offset": rng.randint(0, 3)}
        await send(client, load, kind, "GET", "/api/v1/projects", params=params)
    else:
        await send(client, load, "list tasks", "GET", f"/api/v1/projects/{project}/tasks", params={"limit": 3})


async def race(base_url: str, load: Load) -> None:
    """One soft delete against five creates of the deleted project's name, ``RACE_ROUNDS`` times."""
    async with httpx.AsyncClient(base_url=base_url, headers=HEADERS, timeout=BOUND * 2) as client:
        for round_ in range(RACE_ROUNDS):
            name = f"race {round_}"
            created = await send(client, load, "create", "POST", "/api/v1/projects", json={"name": name})
            assert created.status_code == 201, created.text
            project = created.json()["id"]
            creates = [send(client, load, "create", "POST", "/api/v1/projects", json={"name": name}) for _ in range(5)]
            deleted, *answers = await asyncio.gather(
                send(client, load, "delete", "DELETE", f"/api/v1/projects/{project}"), *creates
            )
            assert deleted.status_code == 204, deleted.text
            assert sorted(answer.status_code for answer in answers) in ([409] * 5, [201] + [409] * 4)


async def mixed_load(base_url: str, load: Load, seed: int) -> float:
    """``CLIENTS`` clients sending the mix for ``SECONDS`` seconds; the seconds it took."""
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base_url, headers=HEADERS, timeout=BOUND * 2, limits=limits) as client:
        started = time.monotonic()
        deadline = started + SECONDS

        async def one_client(number: int) -> None:
            rng = random.Random(seed + number)
            while time.monotonic() < deadline:
                await one_request(client, load, rng)

        await asyncio.gather(*(one_client(number) for number in range(CLIENTS)))
        return time.monotonic() - started


def invariants(client: httpx.Client, database: str, database_url: str, load: Load) -> list[str]:
    """What must hold after the load: one live project per name, deleted projects' tasks out of
    sight, and every total equal to the rows listed (and to the rows in the table)."""
    problems = []
    engine = create_engine(make_url(database_url).set(drivername=database_support(database).SYNC_DRIVER))
    try:
        with engine.connect() as connection:
            duplicated = connection.execute(
                text("SELECT name FROM projects WHERE deleted_at IS NULL GROUP BY name HAVING COUNT(*) > 1")
            ).all()
            live = set(connection.execute(text("SELECT id FROM projects WHERE deleted_at IS NULL")).scalars())
            tasks = Counter(connection.execute(text("SELECT project_id FROM tasks")).scalars())
    finally:
        engine.dispose()
    problems += [f"two live projects named {name!r}" for (name,) in duplicated]
    listed = client.get("/api/v1/projects", params={"limit": 100}, headers=HEADERS).json()
    if {item["id"] for item in listed["items"]} != live or listed["total"] != len(live):
        problems.append(f"projects listed {listed['total']} / {len(listed['items'])}, live in the table {len(live)}")
    for project in sorted(load.projects):
        response = client.get(f"/api/v1/projects/{project}/tasks", params={"limit": 100}, headers=HEADERS)
        if project not in live:
            if response.status_code != 404:
                problems.append(f"deleted project {project}: its tasks answer {response.status_code}")
        elif (total := response.json()["total"], len(response.json()["items"])) != (tasks[project], tasks[project]):
            problems.append(
                f"project {project}: total {total}, listed {len(response.json()['items'])}, rows {tasks[project]}"
            )
    return problems


LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
}


@pytest.fixture(scope="module", params=DATABASES)
def project(request: pytest.FixtureRequest, cookies_session: Cookies) -> Baked:
    return bake(cookies_session, STRATEGIES[0], request.param)


def test_concurrent_writers_get_only_answers_the_contract_allows(
    project: Baked, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    database_url = new_database(project.database)
    migrate(project, database_url)
    log_config = tmp_path / "logging.json"
    log_config.write_text(json.dumps(LOG_CONFIG))
    log = tmp_path / "log"
    options = ("--workers", "2", "--log-config", str(log_config))
    load = Load()
    with running_service(project, database_url, log, *options) as client:
        base_url = str(client.base_url)
        asyncio.run(race(base_url, load))
        seconds = asyncio.run(mixed_load(base_url, load, seed=20261203))
        problems = invariants(client, project.database, database_url, load)

    retried = log.read_text().count("conflicted with a concurrent change, retrying")
    gave_up = log.read_text().count("still conflicting after")
    requests = len(load.latencies)
    p99 = statistics.quantiles(load.latencies, n=100)[-1] * 1000
    print(
        f"\n{project.database}: {requests} requests, {CLIENTS} clients, {seconds:.1f} s, {requests / seconds:.0f}/s, "
        f"p99 {p99:.0f} ms, {retried} conflicts retried, {gave_up} given up (409)\n"
        + ", ".join(f"{kind} {status}: {count}" for (kind, status), count in sorted(load.answers.items()))
    )
    assert load.wrong == []
    assert problems == []
    assert max(load.latencies) < BOUND
    assert "Traceback" not in log.read_text()
