"""Instructions per test, counted by valgrind's callgrind: the generated projects' tests beside a floor.

    python scripts/instructions.py                  # every strategy on PostgreSQL, and the floor
    python scripts/instructions.py --only rollback_isolation
    python scripts/instructions.py --write-docs     # also docs/instructions.md and the README table

Milliseconds on a shared machine swing from hour to hour; the instructions a process executes do
not: callgrind counts the same total twice, whatever else the machine does. Each test runs N and
3N times under ``valgrind --tool=callgrind``, each time in a pytest process of its own, in a baked
project's locked environment with its pytest settings, after one run without valgrind (the
database set up, the bytecode cached); (I(3N) - I(N)) / 2N is what one test costs, start-up and
collection cancelled out. Only the counted test is collected (its node id, not ``-k``), and string
hashing is seeded (``PYTHONHASHSEED=0``): two runs on one database then count within a few in
100,000. Databases of different names do not: the same test lands on one of two levels about 4%
apart, whichever the name gives it. So each test is counted on three databases of its own
(``--databases``) and the table gives the median, with the lowest and highest beside it.

The floor is a ladder of minimal tests in the same environment (``FLOOR``): an empty ``async def``
test, a connection in a transaction that is rolled back, one ``SELECT`` on it, a request through
httpx's ``ASGITransport`` to a plain FastAPI route, and the minimal full path: a request to a
route that runs one ``SELECT`` (or one ``INSERT``) through a session dependency whose sessions
join the test's transaction by savepoint. Each project's one-request and one-write test (those
of ``scripts/benchmark.py``) is read as a ratio to the full path of its kind.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from statistics import median

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from benchmark import machine
from regenerate_samples import rendered_project

from tests.baking import PYTHON_DEFAULTS, STRATEGIES, TEMPLATE, Baked, scratch_databases, strategy_settings

DOCS = TEMPLATE / "docs"
README_START, README_END = "<!-- instructions:start -->", "<!-- instructions:end -->"
DATABASE = "postgresql"
# Copies of each test in the shorter run; the longer runs three times as many.
COPIES = 25
# Databases each test is counted on (the median is the figure).
DATABASES = 3

FLOOR_CONFTEST = """
import os
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Request
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
app = FastAPI()


@app.get("/plain")
async def plain() -> dict[str, bool]:
    return {"ok": True}


@app.get("/read")
async def read(session: SessionDep) -> dict[str, int]:
    return {"one": (await session.execute(text("SELECT 1"))).scalar_one()}


@app.post("/write", status_code=201)
async def write(session: SessionDep) -> dict[str, int]:
    await session.execute(text("INSERT INTO floor_rows DEFAULT VALUES"))
    await session.commit()
    return {"written": 1}


@pytest.fixture(scope="session")
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+asyncpg"))
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS floor_rows (id serial PRIMARY KEY)"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture(scope="session")
async def started_client() -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
def client(started_client: AsyncClient, connection: AsyncConnection) -> Iterator[AsyncClient]:
    app.state.sessionmaker = async_sessionmaker(
        connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    yield started_client
"""
FLOOR_TESTS = """
import os

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

N = int(os.environ["INSTRUCTIONS_TESTS"])


@pytest.mark.parametrize("n", range(N))
async def test_empty(n: int) -> None:
    pass


@pytest.mark.parametrize("n", range(N))
async def test_rolled_back_connection(connection: AsyncConnection, n: int) -> None:
    pass


@pytest.mark.parametrize("n", range(N))
async def test_one_select(connection: AsyncConnection, n: int) -> None:
    await connection.execute(text("SELECT 1"))


@pytest.mark.parametrize("n", range(N))
async def test_plain_route(started_client: AsyncClient, n: int) -> None:
    assert (await started_client.get("/plain")).status_code == 200


@pytest.mark.parametrize("n", range(N))
async def test_full_path_read(client: AsyncClient, n: int) -> None:
    assert (await client.get("/read")).status_code == 200


@pytest.mark.parametrize("n", range(N))
async def test_full_path_write(client: AsyncClient, n: int) -> None:
    assert (await client.post("/write")).status_code == 201
"""
# The floor's rungs, in order: (test name, what it is).
FLOOR = [
    ("test_empty", "an empty `async def` test"),
    ("test_rolled_back_connection", "+ a connection in a transaction, rolled back"),
    ("test_one_select", "+ one `SELECT` on it"),
    ("test_plain_route", "a request to a plain FastAPI route (httpx `ASGITransport`)"),
    ("test_full_path_read", "**full path, read**: a route's one `SELECT` through a session joined by savepoint"),
    ("test_full_path_write", "**full path, write**: a route's one `INSERT` and commit, the same way"),
]
PROJECT_TESTS = """
import os
from uuid import uuid4

import pytest
{client_import}

N = int(os.environ["INSTRUCTIONS_TESTS"])


@pytest.mark.parametrize("n", range(N))
{adef} test_one_request(client: {client}, api_headers: dict[str, str], n: int) -> None:
    response = {aw}client.get("/api/v1/projects", params={{"limit": 1}}, headers=api_headers)
    assert response.status_code == 200


@pytest.mark.parametrize("n", range(N))
{adef} test_one_write(client: {client}, api_headers: dict[str, str], n: int) -> None:
    response = {aw}client.post("/api/v1/projects", json={{"name": f"i {{uuid4().hex}}"}}, headers=api_headers)
    assert response.status_code == 201
"""


@dataclass(frozen=True)
class Case:
    """One test of a baked project, counted: its file and name there, what it is, and the database it runs on."""

    baked: Baked
    path: str
    test: str
    label: str
    url: str


def instructions(case: Case, copies: int, *, counted: bool = True) -> int:
    """The instructions of one pytest process running ``copies`` of the case's test (0 when not ``counted``)."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [case.baked.tool("python"), "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
        # Selected by node id, so that only this test's copies are collected (``-k`` collects the whole file).
        command.append(f"{case.path}::{case.test}")
        if counted:
            command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/callgrind.out", *command]
        env = {
            **PYTHON_DEFAULTS,
            "TEST_DATABASE_URL": case.url,
            "INSTRUCTIONS_TESTS": str(copies),
            "PYTHONHASHSEED": "0",
        }
        result = subprocess.run(command, cwd=case.baked.path, env=env, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0 or f"{copies} passed" not in result.stdout:
        raise SystemExit(f"{case.label}: the tests failed\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    if not counted:
        return 0
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise SystemExit(f"{case.label}: callgrind reported no count\n{result.stderr[-2000:]}")
    return int(found.group(1))


def per_test(case: Case, copies: int) -> float:
    """What one copy of the case's test costs: (I(3N) - I(N)) / 2N, after a warm-up run."""
    instructions(case, copies, counted=False)
    return (instructions(case, 3 * copies) - instructions(case, copies)) / (2 * copies)


def bake_for(strategy: str, scratch: Path, new_url: Callable[[], str], floor: bool, databases: int) -> list[Case]:
    """A project of ``strategy`` with the tests to count in it (and the floor's), each on ``databases`` databases
    of its own (a case per database)."""
    baked = rendered_project(scratch / strategy, strategy, DATABASE)
    baked.install()
    sync = strategy_settings(strategy).sync
    (baked.path / "tests" / "test_instructions.py").write_text(
        PROJECT_TESTS.format(
            client_import="from fastapi.testclient import TestClient" if sync else "from httpx import AsyncClient",
            client="TestClient" if sync else "AsyncClient",
            adef="def" if sync else "async def",
            aw="" if sync else "await ",
        )
    )
    tests = [
        ("tests/test_instructions.py", "test_one_request", f"`{strategy}`: one request"),
        ("tests/test_instructions.py", "test_one_write", f"`{strategy}`: one write"),
    ]
    if floor:
        (baked.path / "floor").mkdir()
        (baked.path / "floor" / "conftest.py").write_text(FLOOR_CONFTEST)
        (baked.path / "floor" / "test_floor.py").write_text(FLOOR_TESTS)
        tests = [("floor/test_floor.py", test, label) for test, label in FLOOR] + tests
    return [Case(baked, path, test, label, new_url()) for path, test, label in tests for _ in range(databases)]


def table(counts: dict[str, list[float]]) -> str:
    """Each test's median over its databases, the lowest and highest, and the ratio of the median to the floor's."""
    results = {label: median(values) for label, values in counts.items()}
    read, write = (results[label] for _test, label in FLOOR[4:6])
    lines = [
        "| test | instructions per test (median) | lowest to highest | ratio to the full path |",
        "|---|---|---|---|",
    ]
    for label, values in counts.items():
        floor = write if "write" in label else read
        spread = f"{min(values) / 1e6:.2f} to {max(values) / 1e6:.2f} M"
        lines.append(f"| {label} | {results[label] / 1e6:.2f} M | {spread} | {results[label] / floor:.2f} |")
    return "\n".join(lines)


def write_docs(body: str) -> None:
    (DOCS / "instructions.md").write_text(body + "\n")
    readme = TEMPLATE / "README.md"
    text = readme.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    readme.write_text(text[:start] + "\n" + body + "\n" + text[end:])


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=STRATEGIES, help="one strategy (and the floor)")
    parser.add_argument("--copies", type=int, default=COPIES, help=f"copies of each test in the shorter run ({COPIES})")
    parser.add_argument(
        "--databases", type=int, default=DATABASES, help=f"databases each test is counted on, median kept ({DATABASES})"
    )
    parser.add_argument("--write-docs", action="store_true", help="rewrite docs/instructions.md and the README table")
    options = parser.parse_args(argv)
    strategies = [options.only] if options.only else STRATEGIES
    with tempfile.TemporaryDirectory() as scratch, scratch_databases(Path(scratch)) as new_database:
        cases: list[Case] = []
        for index, strategy in enumerate(strategies):
            new_url = partial(new_database, DATABASE)
            cases += bake_for(strategy, Path(scratch), new_url, floor=index == 0, databases=options.databases)
        # Two at a time: callgrind runs one thread, and the counts do not depend on the load.
        with ThreadPoolExecutor(max_workers=2) as pool:
            per_case = list(pool.map(lambda case: per_test(case, options.copies), cases))
    counts: dict[str, list[float]] = {}
    for case, count in zip(cases, per_case, strict=True):
        counts.setdefault(case.label, []).append(count)
    command = "python scripts/instructions.py " + " ".join(argv)
    body = (
        f"{table(counts)}\n\n"
        "Instructions counted by valgrind's callgrind, (I(3N) - I(N)) / 2N with "
        f"N = {options.copies}, each test in the locked environment of a project baked on {DATABASE}, "
        f"on {options.databases} databases of its own (the median is the figure), the database on loopback. "
        f"Measured by `{command.strip()}` on {machine()}."
    )
    print(body)
    if options.write_docs:
        write_docs(body)


if __name__ == "__main__":
    main(sys.argv[1:])
