"""Bake every strategy x database combination and hold the result to the standards:
nothing left unrendered, lint- and type-clean, a valid compose file, and a test suite
that passes on a real database, in random order, twice on the same database."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import COMBINATION_IDS, COMBINATIONS

BIN = Path(sys.executable).parent
UNRENDERED = re.compile(r"(?<!\$)\{\{|\{%|\{#")
TEXT_SUFFIXES = {".py", ".toml", ".ini", ".yml", ".yaml", ".md", ".txt", ".mako", ".example", ""}


@dataclass
class Baked:
    strategy: str
    database: str
    path: Path

    @property
    def package(self) -> str:
        return self.path.name

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=self.path, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout
        )

    def pytest(self, *args: str, database_url: str | None) -> subprocess.CompletedProcess[str]:
        """The generated suite, as its README runs it (the template's venv has every strategy's tools)."""
        plugins = ["-p", "no:asyncio"] if self.strategy == "sync_testclient" else []
        env = {"TEST_DATABASE_URL": database_url} if database_url else {}
        return self.run(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugins, *args, env=env)


@pytest.fixture(scope="module", params=COMBINATIONS, ids=COMBINATION_IDS)
def baked(request: pytest.FixtureRequest, cookies_session) -> Baked:  # type: ignore[no-untyped-def]
    strategy, database = request.param
    result = cookies_session.bake(extra_context={"test_strategy": strategy, "database": database})
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return Baked(strategy, database, result.project_path)


@pytest.fixture
def database_url(baked: Baked, request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """A fresh PostgreSQL database, or a SQLite file (None: the in-memory default of sync_testclient)."""
    if baked.database == "postgresql":
        return str(request.getfixturevalue("fresh_database"))
    if baked.strategy == "sync_testclient":
        return None
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def text_files(root: Path) -> list[Path]:
    return [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix in TEXT_SUFFIXES and "__pycache__" not in path.parts
    ]


def test_everything_is_rendered(baked: Baked) -> None:
    leftovers = [
        f"{path.relative_to(baked.path)}:{number}"
        for path in text_files(baked.path)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if UNRENDERED.search(line)
    ]
    assert leftovers == []


def test_files_read_like_hand_written_ones(baked: Baked) -> None:
    problems = []
    for path in text_files(baked.path):
        text = path.read_text()
        name = path.relative_to(baked.path)
        if text and not text.endswith("\n") or text.endswith("\n\n"):
            problems.append(f"{name}: must end with exactly one newline")
        if "\n\n\n\n" in text or (path.suffix not in {".py", ".mako"} and "\n\n\n" in text):
            problems.append(f"{name}: run of blank lines")
        if any(line != line.rstrip() for line in text.splitlines()):
            problems.append(f"{name}: trailing whitespace")
    assert problems == []


def test_only_the_chosen_strategy_is_in_the_project(baked: Baked) -> None:
    seeder = baked.path / baked.package / "seed.py"
    assert seeder.exists() == (baked.strategy == "self_healing_seed")
    conftest = (baked.path / "tests" / "conftest.py").read_text()
    others = {"rollback_isolation": "create_savepoint", "sync_testclient": "TestClient", "self_healing_seed": "seeder"}
    for strategy, marker in others.items():
        assert (marker in conftest) == (strategy == baked.strategy), f"{marker!r} in a {baked.strategy} conftest"
    other_driver = "asyncpg" if baked.database == "sqlite" else "aiosqlite"
    assert other_driver not in (baked.path / "pyproject.toml").read_text()


def test_ruff_is_clean(baked: Baked) -> None:
    result = baked.run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean(baked: Baked) -> None:
    result = baked.run(
        sys.executable, "-m", "mypy", "--cache-dir", str(baked.path.parent / ".mypy_cache"), baked.package, "tests",
        "migrations",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_is_valid(baked: Baked) -> None:
    compose = (str(BIN / "docker-compose"), "config", "--format", "json")
    result = baked.run(*compose, env={"API_KEY": "compose-check", "COMPOSE_PROFILES": "test,tools"})
    assert result.returncode == 0 and not result.stderr, result.stderr
    services = json.loads(result.stdout)["services"]
    assert "app" in services and "tests" in services
    assert all(port["host_ip"] == "127.0.0.1" for service in services.values() for port in service.get("ports", []))
    if baked.database == "postgresql":
        assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
        assert services["db"]["healthcheck"]["test"]
    assert ("seed" in services) == (baked.strategy == "self_healing_seed")


def test_suite_passes_in_random_order_twice_on_one_database(baked: Baked, database_url: str | None) -> None:
    for seed in ("1", "20261121"):
        result = baked.pytest(f"--randomly-seed={seed}", database_url=database_url)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout[-2000:]
        assert " failed" not in result.stdout and " skipped" not in result.stdout


def test_a_users_plain_scenario_tests_pass(baked: Baked, database_url: str | None) -> None:
    """Scenario tests written against the contract alone, dropped into tests/ as a user would."""
    flavour = "sync" if baked.strategy == "sync_testclient" else "async"
    target = baked.path / "tests" / "test_user_scenarios.py"
    shutil.copy(Path(__file__).parent / "scenarios" / f"{flavour}_scenarios.py", target)
    try:
        result = baked.pytest(str(target.relative_to(baked.path)), database_url=database_url)
    finally:
        target.unlink()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", result.stdout)


def test_ci_workflow_is_valid(baked: Baked) -> None:
    workflow = baked.path / ".github" / "workflows" / "ci.yml"
    result = baked.run(str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow))
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("postgres:" in workflow.read_text()) == (baked.database == "postgresql")


def test_self_healing_reseeds_an_emptied_database_and_fails_fast_on_a_broken_seeder(
    cookies, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    result = cookies.bake(extra_context={"test_strategy": "self_healing_seed", "database": "sqlite"})
    baked = Baked("self_healing_seed", "sqlite", result.project_path)
    url = f"sqlite:///{tmp_path / 'heal.sqlite3'}"
    first = baked.pytest("-s", "tests/test_health.py", database_url=url)
    assert first.returncode == 0 and "running the seeder" in first.stdout, first.stdout[-2000:]
    again = baked.pytest("-s", "tests/test_health.py", database_url=url)
    assert again.returncode == 0 and "running the seeder" not in again.stdout

    (tmp_path / "heal.sqlite3").unlink()
    healed = baked.pytest("-s", "tests/test_health.py", database_url=url)
    assert healed.returncode == 0 and "running the seeder" in healed.stdout

    (tmp_path / "heal.sqlite3").unlink()
    (baked.path / baked.package / "seed.py").write_text('raise SystemExit("seed data unavailable: boom")\n')
    broken = baked.pytest(database_url=url)
    assert broken.returncode != 0
    assert "the seeder failed" in broken.stdout + broken.stderr
    assert "seed data unavailable: boom" in broken.stdout + broken.stderr
