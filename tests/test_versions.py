"""The version claims of a generated project hold: its floors, and every Python it supports.

    pytest -m versions -n 2 --pythons "3.11 3.12 3.13"

Not part of the default run (the ``versions`` marker; see pytest.ini): it installs every
strategy x database twice more. At the declared floors (``--resolution lowest-direct``, each
direct requirement exactly at its lower bound, on the oldest Python asked for) the suite, ruff
and mypy pass; from the project's own ``uv.lock`` the suite passes on each other Python asked
for. ``--pythons`` names the interpreters to use (default: every one the projects support).
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from .baking import (
    BAKE_IDS,
    BAKES,
    DATABASES,
    STRATEGIES,
    UV,
    Baked,
    Cookies,
    bake,
    python_interpreter,
)

pytestmark = pytest.mark.versions


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "python" in metafunc.fixturenames:
        newer = metafunc.config.getoption("pythons")[1:]
        cases = [(*choices, python) for choices in BAKES for python in newer]
        ids = [f"{name}-py{python}" for name in BAKE_IDS for python in newer]
        metafunc.parametrize(("strategy", "database", "cache", "python"), cases, ids=ids)


@pytest.fixture
def oldest_python(request: pytest.FixtureRequest) -> str:
    return python_interpreter(request.config.getoption("pythons")[0])


def declared_floors(project: Path) -> dict[str, str]:
    """Each direct requirement of ``pyproject.toml`` (runtime and ``[test]``) and its lower bound."""
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    floors = {}
    for requirement in [*metadata["dependencies"], *metadata["optional-dependencies"]["test"]]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=([0-9][0-9.]*)", requirement)
        assert match, f"{requirement!r} has no plain lower bound"
        floors[match.group(1).lower().replace("_", "-")] = match.group(2)
    return floors


def installed_versions(baked: Baked) -> dict[str, str]:
    listed = baked.run(UV, "pip", "list", "--format", "json", "--python", baked.tool("python"))
    assert listed.returncode == 0, listed.stderr
    return {package["name"].lower(): package["version"] for package in json.loads(listed.stdout)}


def same_version(installed: str, floor: str) -> bool:
    """``1.14.0`` is the floor ``1.14``."""
    parts = floor.split(".")
    return installed.split(".")[:3] == (parts + ["0"] * 3)[:3]


def passed(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-3000:]


@pytest.mark.parametrize(("strategy", "database", "cache"), BAKES, ids=BAKE_IDS)
def test_the_suite_ruff_and_mypy_pass_at_the_declared_floors(
    cookies: Cookies,
    new_database: Callable[[str], str],
    redis_url: str,
    oldest_python: str,
    strategy: str,
    database: str,
    cache: str,
) -> None:
    baked = bake(cookies, strategy, database, cache=cache)
    baked.install_lowest(oldest_python)

    installed = installed_versions(baked)
    not_at_floor = {
        name: (floor, installed.get(name))
        for name, floor in declared_floors(baked.path).items()
        if not same_version(installed.get(name, ""), floor)
    }
    assert not_at_floor == {}, "each floor is what gets installed (name: (floor, installed))"

    passed(baked.pytest(database_url=new_database(database), redis_url=redis_url))
    passed(baked.run(baked.tool("ruff"), "check", "--no-cache", "."))
    passed(baked.run(baked.tool("ruff"), "format", "--check", "--no-cache", "."))
    passed(baked.run(baked.tool("mypy"), "--no-incremental", baked.package, "tests", "migrations"))


def test_the_locked_suite_passes_on_every_newer_python(
    cookies: Cookies,
    new_database: Callable[[str], str],
    redis_url: str,
    strategy: str,
    database: str,
    cache: str,
    python: str,
) -> None:
    baked = bake(cookies, strategy, database, cache=cache)
    baked.install(python_interpreter(python))

    version = baked.run(baked.tool("python"), "-c", "import sys; print(*sys.version_info[:2], sep='.')")
    assert version.stdout.strip() == python
    passed(baked.pytest(database_url=new_database(database), redis_url=redis_url))


@pytest.mark.parametrize("database", DATABASES)
def test_the_plain_pip_path_installs_and_passes(
    cookies: Cookies, new_database: Callable[[str], str], oldest_python: str, database: str
) -> None:
    """Without uv, as the README offers: a venv and ``pip install -e ".[test]"`` (the newest releases that fit)."""
    baked = bake(cookies, STRATEGIES[0], database)
    baked.install_with_pip(oldest_python)

    passed(baked.pytest(database_url=new_database(database)))
