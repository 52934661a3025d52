"""Bake every strategy x database combination and hold the result to the standards:
nothing left unrendered, lint-, format- and type-clean, a valid compose file, and a test
suite that passes on a real database, in random order, twice on the same database."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from .baking import (
    BAKE_IDS,
    BAKES,
    BIN,
    CACHES,
    COMBINATION_IDS,
    COMBINATIONS,
    SERVER_DATABASES,
    STRATEGIES,
    TEMPLATE,
    Baked,
    Cookies,
    bake,
    bake_id,
    diagonal_marks,
    leftover_databases,
    redis_indexes,
    redis_keys,
    strategy_settings,
)
from .user_tables import add_users_tables

UNRENDERED = re.compile(r"(?<!\$)\{\{|\{%|\{#")
TEXT_SUFFIXES = {
    ".py",
    ".toml",
    ".ini",
    ".yml",
    ".yaml",
    ".md",
    ".txt",
    ".mako",
    ".example",
    "",
}


@pytest.fixture(scope="module", params=BAKES, ids=BAKE_IDS)
def baked(request: pytest.FixtureRequest, cookies_session: Cookies) -> Baked:
    strategy, database, cache = request.param
    return bake(cookies_session, strategy, database, cache=cache)


def text_files(root: Path) -> list[Path]:
    """The project's own text files: not its environment (``.venv``) nor caches."""
    return [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and path.suffix in TEXT_SUFFIXES
        and not {"__pycache__", ".venv"} & set(path.relative_to(root).parts)
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
        if (text and not text.endswith("\n")) or text.endswith("\n\n"):
            problems.append(f"{name}: must end with exactly one newline")
        # Python keeps two blank lines between definitions, in a README's code blocks too.
        prose = re.sub(r"^```python\n.*?^```$", "(code)", text, flags=re.MULTILINE | re.DOTALL)
        if "\n\n\n\n" in text or (path.suffix not in {".py", ".mako"} and "\n\n\n" in prose):
            problems.append(f"{name}: run of blank lines")
        if any(line != line.rstrip() for line in text.splitlines()):
            problems.append(f"{name}: trailing whitespace")
        if re.search(r"\(\s*(?:client|db_session)\.\w+\([^()]*(?:\([^()]*\)[^()]*)*\)\)", text):
            problems.append(f"{name}: redundant parentheses around a call")
    assert problems == []


def test_only_the_chosen_strategy_is_in_the_project(baked: Baked) -> None:
    """No other strategy's name or files: each strategy's own files come from its folder alone."""
    others = [strategy for strategy in STRATEGIES if strategy != baked.strategy]
    mentions = [
        f"{path.relative_to(baked.path)}: {other}"
        for path in text_files(baked.path)
        for other in others
        if other in path.read_text()
    ]
    assert mentions == []
    for other in others:
        overlay = TEMPLATE / "templates" / "strategies" / other / "project"
        own = TEMPLATE / "templates" / "strategies" / baked.strategy / "project"
        for path in overlay.rglob("*.py") if overlay.is_dir() else []:
            relative = str(path.relative_to(overlay)).replace("{{cookiecutter.project_slug}}", baked.package)
            if not (own / path.relative_to(overlay)).exists():
                assert not (baked.path / relative).exists(), f"{relative} belongs to {other}"


def test_without_a_cache_there_is_no_trace_of_redis(baked: Baked) -> None:
    """``cache=none``: no dependency, file, setting, service or fixture of Redis (nor the cache's module)."""
    if baked.cache != "none":
        assert (baked.path / baked.package / "core" / "cache.py").is_file()
        return
    mentions = [
        str(path.relative_to(baked.path)) for path in text_files(baked.path) if "redis" in path.read_text().lower()
    ]
    assert mentions == []
    assert not [path for path in baked.path.rglob("*cache*.py") if ".venv" not in path.parts]
    assert 'name = "redis"' not in (baked.path / "uv.lock").read_text()


def test_ruff_is_clean(baked: Baked) -> None:
    result = baked.run(baked.tool("ruff"), "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    result = baked.run(baked.tool("ruff"), "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean(baked: Baked, tmp_path_factory: pytest.TempPathFactory) -> None:
    # One cache per xdist worker, shared by the projects it checks: the libraries are analysed once.
    cache = str(tmp_path_factory.getbasetemp() / "mypy_cache")
    result = baked.run(baked.tool("mypy"), "--cache-dir", cache, baked.package, "tests", "migrations")
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_is_valid(baked: Baked) -> None:
    compose = (str(BIN / "docker-compose"), "config", "--format", "json")
    result = baked.run(*compose, env={"API_KEY": "compose-check", "COMPOSE_PROFILES": "test,tools"})
    assert result.returncode == 0 and not result.stderr, result.stderr
    services = json.loads(result.stdout)["services"]
    assert "app" in services and "tests" in services
    assert all(port["host_ip"] == "127.0.0.1" for service in services.values() for port in service.get("ports", []))
    if "db" in services:
        assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
        assert services["db"]["healthcheck"]["test"]
    tools = {name for name, _command, _purpose in strategy_settings(baked.strategy).compose_tools}
    assert tools <= set(services), f"the strategy's compose tools {tools} are missing"
    redis = {"redis", "redis-test"} & set(services)
    assert redis == ({"redis", "redis-test"} if baked.cache == "redis" else set())
    for name in redis:
        assert services[name]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    if redis:
        assert services["app"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services["tests"]["environment"]["TEST_REDIS_URL"] == "redis://redis-test:6379/0"
        assert services["tests"]["depends_on"]["redis-test"]["condition"] == "service_healthy"


def test_the_dockerfile_passes_hadolint(baked: Baked) -> None:
    result = baked.run(str(BIN / "hadolint"), "Dockerfile")
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


REDOCLY = TEMPLATE / "tools" / "redocly" / "node_modules" / ".bin" / "redocly"


def test_the_openapi_document_passes_redoclys_recommended_rules(baked: Baked, tmp_path: Path) -> None:
    """No error from Redocly's recommended ruleset (warnings are advice: a licence, a 4XX on /health)."""
    assert REDOCLY.is_file(), "Redocly CLI is missing: npm ci --prefix tools/redocly"
    export = f"import json; from {baked.package}.main import create_app; print(json.dumps(create_app().openapi()))"
    exported = baked.run(baked.tool("python"), "-c", export)
    assert exported.returncode == 0, exported.stderr
    document = tmp_path / "openapi.json"
    document.write_text(exported.stdout)

    lint = baked.run(str(REDOCLY), "lint", "--extends", "recommended", "--format", "stylish", str(document))

    assert lint.returncode == 0 and "error" not in lint.stdout, lint.stdout + lint.stderr


def test_pre_commit_runs_the_ci_checks_and_stops_a_bad_commit(cookies: Cookies) -> None:
    """`.pre-commit-config.yaml` runs ruff check, ruff format and mypy from the project's own lock."""
    project = bake(cookies, *COMBINATIONS[0])
    environment = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    pre_commit = (str(BIN / "pre-commit"), "run", "--all-files")
    assert project.run("git", "init", "--quiet").returncode == 0
    assert project.run("git", "add", "--all").returncode == 0

    clean = project.run(*pre_commit, env=environment)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.findall(r"^(ruff check|ruff format|mypy)\.+Passed$", clean.stdout, re.MULTILINE) == [
        "ruff check",
        "ruff format",
        "mypy",
    ]

    (project.path / project.package / "untidy.py").write_text("import os\nx=1\n")
    assert project.run("git", "add", "--all").returncode == 0
    untidy = project.run(*pre_commit, env=environment)
    assert untidy.returncode != 0
    failed = re.findall(r"^(ruff check|ruff format)\.+Failed$", untidy.stdout, re.MULTILINE)
    assert failed == ["ruff check", "ruff format"], untidy.stdout


def ran(result: subprocess.CompletedProcess[str], junit: Path) -> list[str]:
    """The tests a run executed (from its JUnit report), after checking it passed with nothing skipped."""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = re.findall(r"^=+ (.+) in [\d.]+s", result.stdout, re.MULTILINE)[-1]
    assert {outcome for _count, outcome in re.findall(r"(\d+) (\w+)", summary)} - {"deselected"} == {"passed"}, summary
    return [
        f"{str(case.get('classname')).replace('.', '/')}.py::{case.get('name')}"
        for case in ET.parse(junit).getroot().iter("testcase")
    ]


# The pytest plugins active in every project's environment (anyio comes with httpx and starlette);
# async strategies add pytest-asyncio.
PLUGINS = {"anyio", "cov", "randomly", "split", "xdist"}


@pytest.mark.parametrize(
    ("strategy", "database", "cache"),
    [
        pytest.param(
            *combination,
            cache,
            id=bake_id(*combination, cache),
            marks=diagonal_marks(*combination, cache),
        )
        for cache in CACHES
        for combination, name in zip(COMBINATIONS, COMBINATION_IDS, strict=True)
    ],
)
def test_suite_with_a_users_own_tables_passes_in_two_random_orders_and_on_xdist(
    cookies: Cookies,
    strategy: str,
    database: str,
    cache: str,
    new_database: Callable[[str], str],
    redis_url: str,
    worker_id: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A fresh project, with what a user adds first: tables of their own (from the README's "Adding a
    table", and more), their autogenerated migrations, seed rows and plain tests (tests/user_tables.py),
    and scenario tests written against the contract alone. Its suite then passes serially in two
    random orders on one database (with the plugins the project's lock brings all active), then again
    on two xdist workers, each on its own copy of the database (and with Redis, its own index), with
    the coverage gate holding, and no copy of the database or Redis key left behind.
    """
    baked = bake(cookies, strategy, database, cache=cache)
    database_url = new_database(database)
    add_users_tables(baked, new_database(database), tmp_path_factory.getbasetemp() / "mypy_cache")
    style = "sync" if strategy_settings(strategy).sync else "async"
    shutil.copy(
        TEMPLATE / "tests" / "scenarios" / f"{style}_scenarios.py", baked.path / "tests" / "test_user_scenarios.py"
    )

    serial = []
    for seed in ("1", "2"):
        result = baked.pytest(
            f"--randomly-seed={seed}",
            f"--junitxml={tmp_path / seed}.xml",
            database_url=database_url,
            redis_url=redis_url,
        )
        serial.append(ran(result, tmp_path / f"{seed}.xml"))
    header = re.search(r"^plugins: (.*)$", result.stdout, re.MULTILINE)
    assert header, result.stdout[:2000]
    active = {plugin.rsplit("-", 1)[0].removeprefix("pytest-") for plugin in header.group(1).split(", ")}
    assert active >= PLUGINS | (set() if style == "sync" else {"asyncio"})

    junit = tmp_path / "xdist.xml"
    result = baked.pytest(
        "--randomly-seed=20261121",
        "-n",
        "2",
        "--cov",
        f"--junitxml={junit}",
        database_url=database_url,
        redis_url=redis_url,
    )
    distributed = ran(result, junit)

    for added in ("test_user_scenarios.py", "test_user_tables.py", "test_comments.py"):
        assert any(test.startswith(f"tests/{added}::") for test in serial[0]), f"the user's {added} ran"
    assert sorted(serial[0]) == sorted(serial[1]) == sorted(distributed)
    assert re.search(r"^Required test coverage of .* reached", result.stdout, re.MULTILINE), "the coverage gate holds"
    assert leftover_databases(database, database_url) == [], "every xdist worker drops its database"
    if cache == "redis":
        assert any(test.startswith("tests/test_cache.py::") for test in serial[0])
        assert [redis_keys(index) for index in redis_indexes(worker_id)] == [0, 0], "every worker empties its index"


# A third full run of a suite the default command runs twice already: with the other long runs.
@pytest.mark.combinations
def test_two_ci_shards_run_every_test_exactly_once(
    cookies: Cookies, tmp_path: Path, new_database: Callable[[str], str]
) -> None:
    """As the generated CI workflow splits them (pytest-split, least_duration, in random order)."""
    strategy, database = COMBINATIONS[0]
    project = bake(cookies, strategy, database)
    url = new_database(database)
    collected = project.pytest("--collect-only", "-q", database_url=url)
    everything = [line for line in collected.stdout.splitlines() if "::" in line]
    shards = []
    for group, seed in (("1", "1"), ("2", "2")):
        junit = tmp_path / f"shard-{group}.xml"
        split = (
            "--splits",
            "2",
            "--group",
            group,
            "--splitting-algorithm",
            "least_duration",
        )
        shards.append(
            ran(
                project.pytest(
                    f"--randomly-seed={seed}",
                    *split,
                    f"--junitxml={junit}",
                    database_url=url,
                ),
                junit,
            )
        )

    assert shards[0] and shards[1], "both shards get tests"
    assert sorted(shards[0] + shards[1]) == sorted(everything), "together the shards run every test exactly once"


def test_ci_workflow_is_valid(baked: Baked) -> None:
    workflow = baked.path / ".github" / "workflows" / "ci.yml"
    result = baked.run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        str(workflow),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    services = "services:" in workflow.read_text()
    needs_services = baked.database in SERVER_DATABASES or baked.cache == "redis"
    assert services == needs_services, "projects on a server (or with Redis) test against service containers"
    assert ("TEST_REDIS_URL: redis://127.0.0.1:6379/0" in workflow.read_text()) == (baked.cache == "redis")
