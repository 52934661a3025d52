"""The generated README's commands run as written, and the template README's match CI.

Each ```bash block of a baked project's README runs in the project, line by line, as written:
``uv sync`` installs the project from its own lock, ``uv run`` runs its commands in that
environment. There is no Docker engine (``docker`` lines are skipped). Without Docker the README
has users export ``DATABASE_URL`` and ``TEST_DATABASE_URL`` for a server of their own: the test
exports them for the local one, the test database not yet created. ``uvicorn --reload`` runs in
the background until ``/health`` answers.

The commands do not depend on the strategy, so they run once per database, for the first
strategy, and every other combination is checked to have the very same commands.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .baking import (
    CACHES,
    COMBINATION_IDS,
    COMBINATIONS,
    DATABASES,
    PYTHON_DEFAULTS,
    REDIS_DEFAULT,
    STRATEGIES,
    TEMPLATE,
    UV,
    Baked,
    Cookies,
    bake,
    database_support,
    diagonal_marks,
    free_port,
)

BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.DOTALL | re.MULTILINE)
# No Docker engine here; the test's exports stand in for the user's.
SKIPPED = ("docker ",)
DOCUMENTED_VARIABLES = {"DATABASE_URL", "TEST_DATABASE_URL"}
REDIS_VARIABLES = {"REDIS_URL", "TEST_REDIS_URL"}


def bash_lines(readme: str) -> list[str]:
    """The command lines of every ```bash block, in order."""
    return [
        line
        for block in BASH_BLOCK.findall(readme)
        for line in block.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def exported(lines: list[str]) -> set[str]:
    return {line.split()[1].split("=", 1)[0] for line in lines if line.startswith("export ")}


@pytest.fixture(scope="module")
def projects(cookies_session: Cookies) -> dict[tuple[str, str, str], Baked]:
    return {
        (strategy, database, cache): bake(cookies_session, strategy, database, cache=cache)
        for strategy, database in COMBINATIONS
        for cache in CACHES
    }


@pytest.mark.parametrize("cache", CACHES)
@pytest.mark.parametrize(("strategy", "database"), COMBINATIONS, ids=COMBINATION_IDS)
def test_every_combination_documents_the_commands_that_are_run(
    projects: dict[tuple[str, str, str], Baked], strategy: str, database: str, cache: str
) -> None:
    baked = projects[strategy, database, cache]
    lines = bash_lines((baked.path / "README.md").read_text())
    run = bash_lines((projects[STRATEGIES[0], database, cache].path / "README.md").read_text())

    assert lines == run
    assert lines[0].split("#")[0].strip() == "uv sync", "installed from the lock first"
    assert any(line.startswith("uv run alembic upgrade head") for line in lines)
    assert any(line.startswith(f"uv run uvicorn {baked.package}.main:app") for line in lines)
    assert "uv run pytest" in lines
    # A database server comes from Docker, or from the user: then they export both URLs.
    needs_a_server = any(line.startswith("docker ") and "db-test" in line for line in lines)
    needs_redis = any(line.startswith("docker ") and "redis-test" in line for line in lines)
    assert needs_redis == (cache == "redis")
    documented = (DOCUMENTED_VARIABLES if needs_a_server else set()) | (REDIS_VARIABLES if needs_redis else set())
    assert exported(lines) == documented


def wait_for_health(url: str, server: subprocess.Popen[str]) -> tuple[int, str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except OSError:
            time.sleep(0.2)
    server.terminate()
    output, _ = server.communicate(timeout=10)
    raise AssertionError(f"the server never answered {url}:\n{output[-3000:]}")


@contextmanager
def databases_left_to_the_readme(database: str, urls: list[str]) -> Iterator[None]:
    """The databases the README names do not exist before its commands run, and are dropped after."""

    def drop() -> None:
        for url in urls:
            database_support(database).drop(url)

    drop()
    try:
        yield
    finally:
        drop()


@pytest.mark.parametrize(
    ("database", "cache"),
    [
        *(
            pytest.param(database, "none", id=database, marks=diagonal_marks(STRATEGIES[0], database))
            for database in DATABASES
        ),
        pytest.param(REDIS_DEFAULT[1], "redis", id=f"{REDIS_DEFAULT[1]}-redis"),
    ],
)
def test_the_readme_commands_run_as_written(
    projects: dict[tuple[str, str, str], Baked], database: str, cache: str, redis_server: None
) -> None:
    """Every block, in order, as a newcomer pastes it: the exports too (a local server, its app
    database not created yet: the README's own command creates it, the tests create theirs; with
    Redis, the local one, on the indexes the README names)."""
    baked = projects[STRATEGIES[0], database, cache]
    lines = bash_lines((baked.path / "README.md").read_text())
    # The user's shell: uv on PATH, and what the README has them export.
    unset = DOCUMENTED_VARIABLES | REDIS_VARIABLES
    environment = {key: value for key, value in PYTHON_DEFAULTS.items() if key not in unset}
    environment["PATH"] = f"{Path(UV).parent}{os.pathsep}{environment['PATH']}"
    exports = dict(
        line.removeprefix("export ").split("#")[0].strip().split("=", 1) for line in lines if line.startswith("export ")
    )
    environment |= exports

    with databases_left_to_the_readme(database, [url for name, url in exports.items() if name in DOCUMENTED_VARIABLES]):
        run_readme_lines(baked, lines, environment)


def run_readme_lines(baked: Baked, lines: list[str], environment: dict[str, str]) -> None:
    ran = []
    for line in lines:
        if line.startswith(SKIPPED) or line.startswith("export "):
            continue
        if line.startswith("uv run uvicorn ") and "--reload" in line:
            port = free_port()
            server = subprocess.Popen(
                ["bash", "-c", f"exec {line.split('#')[0]} --port {port}"],
                cwd=baked.path,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            try:
                status, body = wait_for_health(f"http://127.0.0.1:{port}/health", server)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.communicate(timeout=30)
            assert (status, json.loads(body)["status"]) == (200, "ok")
        else:
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", line],
                cwd=baked.path,
                env=environment,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert result.returncode == 0, f"{line}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        ran.append(" ".join(line.split("#")[0].split()[:3]))

    assert {"uv sync", "uv run alembic", "uv run uvicorn", "uv run pytest"} <= set(ran)


def setup_commands(text: str) -> set[str]:
    """Commands as run, whether from an activated venv or through .venv/bin: `pip install -r x`."""
    commands = set()
    for part in re.split(r"&&|\n", text):
        words = [word for word in shlex.split(part, comments=True) if word != "--quiet"]
        if words[:1] == ["."] or not words:
            continue
        runs_a_module = words[0].endswith("/python") and words[1] == "-m"
        if runs_a_module or (words[0] == "python3" and words[1:3] == ["-m", "pip"]):
            words = words[2:]
        commands.add(" ".join([Path(words[0]).name, *words[1:]]))
    return commands


def test_the_template_readme_set_up_is_what_ci_runs() -> None:
    readme = (TEMPLATE / "README.md").read_text()
    section = readme.split("## Testing the template", 1)[1].split("\n## ", 1)[0]
    # The first block sets up and runs the tests; later ones (mutation testing) are not CI's.
    block, *_later = BASH_BLOCK.findall(section)
    documented = setup_commands(block)
    ci = setup_commands((TEMPLATE / ".ci" / "run").read_text())

    assert documented == {
        "python3 -m venv .venv",
        "pip install -r requirements-dev.txt",
        "npm ci --prefix tools/redocly",
        "pytest -n 2",
        "pytest -m combinations -n 2",
        "pytest -m versions -n 2 --pythons 3.11 3.12 3.13",
    }
    assert documented <= ci
    assert (TEMPLATE / "requirements-dev.txt").is_file()
