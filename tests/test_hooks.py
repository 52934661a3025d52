"""The hooks' functions, and bad inputs rejected with one line and nothing left behind."""

from __future__ import annotations

import ast
import json
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.generate import generate_context, generate_files
from cookiecutter.prompt import prompt_for_config
from jinja2 import TemplateNotFound

from .baking import (
    CACHES,
    COMBINATION_IDS,
    COMBINATIONS,
    DATABASES,
    SERVER_DATABASES,
    STRATEGIES,
    TEMPLATE,
    Cookies,
    bake,
    load_module,
)

pre_gen = load_module(TEMPLATE / "hooks" / "pre_gen_project.py")
post_gen = load_module(TEMPLATE / "hooks" / "post_gen_project.py")
lockfiles = load_module(TEMPLATE / "hooks" / "lockfiles.py")

BAD_INPUTS = [
    ({"project_slug": ""}, "project_slug is empty"),
    ({"project_name": "", "project_slug": "fine"}, "project_name is empty"),
    ({"project_name": "   "}, "project_name is empty"),
    ({"project_slug": "1st_service"}, "not a valid package name"),
    ({"project_slug": "My_Service"}, "not a valid package name"),
    ({"project_slug": "my-service"}, "not a valid package name"),
    ({"project_slug": "my service"}, "not a valid package name"),
    ({"project_slug": "_private"}, "not a valid package name"),
    ({"project_slug": "class"}, "is a Python keyword"),
    ({"project_slug": "match"}, "is a Python keyword"),
    ({"project_slug": "json"}, "shadows the standard library"),
    ({"project_slug": "asyncio"}, "shadows the standard library"),
    ({"project_slug": "fastapi"}, "shadows a package a generated project depends on"),
    ({"project_slug": "sqlalchemy"}, "shadows a package a generated project depends on"),
    # Every package a lock installs, each database's driver and what the others bring in too.
    ({"project_slug": "asyncmy"}, "shadows a package a generated project depends on"),
    ({"project_slug": "greenlet"}, "shadows a package a generated project depends on"),
    ({"project_slug": "pydantic_settings"}, "shadows a package a generated project depends on"),
    ({"project_slug": "anyio"}, "shadows a package a generated project depends on"),
    ({"project_slug": "test"}, "shadows"),
    ({"project_slug": "tests"}, "shadows a package a generated project depends on"),
    (
        {"project_name": "3D Printer Farm"},
        "'3d_printer_farm' is not a valid package name",
    ),
]


@pytest.mark.parametrize(("context", "message"), BAD_INPUTS, ids=[str(c) for c, _ in BAD_INPUTS])
def test_bad_input_is_rejected_cleanly(cookies: Cookies, tmp_path: Path, context: dict[str, str], message: str) -> None:
    result = cookies.bake(extra_context=context, template=str(TEMPLATE))

    assert result.exit_code != 0 and result.project_path is None
    assert isinstance(result.exception, FailedHookException)
    error = str(result.exception)
    assert message in error
    assert error.startswith("ERROR: ") and "\n" not in error
    # pytest-cookies makes an empty output directory for a bake; no project is left in it.
    assert [path.name for path in (tmp_path / "cookies").rglob("*") if not path.name.startswith("bake")] == []


def test_the_cli_prints_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            Path(sys.executable).parent / "cookiecutter",
            "--no-input",
            str(TEMPLATE),
            "-o",
            str(tmp_path),
            "project_slug=",
        ],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert result.stdout.strip().splitlines() == [
        "ERROR: project_slug is empty: use lowercase letters, digits and '_', e.g. 'task_service'"
    ]
    assert [path.name for path in tmp_path.iterdir()] == []


def test_the_pre_gen_hook_is_the_backstop_for_replayed_answers() -> None:
    assert pre_gen.input_error("Shop", "shop") is None
    assert pre_gen.input_error("", "shop") == pre_gen.project_name_error("")
    assert "keyword" in (pre_gen.project_slug_error("lambda") or "")


@pytest.mark.parametrize("slug", ["task_service", "api2", "a", "billing_v2_core"])
def test_good_slugs_pass(slug: str) -> None:
    assert pre_gen.project_slug_error(slug) is None


def hook_context(strategy: str, database: str, cache: str = "none") -> dict[str, str]:
    return {
        "_repo_dir": str(TEMPLATE),
        "project_slug": "pkg",
        "test_strategy": strategy,
        "database": database,
        "cache": cache,
    }


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_strategy_adds_exactly_the_files_in_its_folder(tmp_path: Path, strategy: str) -> None:
    context = hook_context(strategy, DATABASES[0])
    overlay = TEMPLATE / "templates" / "strategies" / strategy / "project"
    expected = sorted(
        str(path.relative_to(overlay)).replace("{{cookiecutter.project_slug}}", "pkg")
        for path in (overlay.rglob("*") if overlay.is_dir() else [])
        if path.is_file()
    )

    written = post_gen.add_strategy_files(tmp_path, context, post_gen.template_environment(context))

    assert sorted(str(path.relative_to(tmp_path)) for path in written) == expected
    assert all("{{" not in path.read_text() for path in written)


@pytest.mark.parametrize("cache", CACHES)
def test_a_cache_adds_exactly_the_files_in_its_folder(tmp_path: Path, cache: str) -> None:
    context = hook_context(STRATEGIES[0], DATABASES[0], cache)
    overlay = TEMPLATE / "templates" / "caches" / cache / "project"
    expected = sorted(
        str(path.relative_to(overlay)).replace("{{cookiecutter.project_slug}}", "pkg")
        for path in (overlay.rglob("*") if overlay.is_dir() else [])
        if path.is_file()
    )

    written = post_gen.add_cache_files(tmp_path, context, post_gen.template_environment(context))

    assert sorted(str(path.relative_to(tmp_path)) for path in written) == expected
    assert bool(written) == (cache == "redis"), "Redis brings its files; no cache brings none"
    assert all("{{" not in path.read_text() for path in written)


def test_env_file_is_the_example_with_a_fresh_private_key(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text("# comment\nDATABASE_URL=driver://host/pkg\nAPI_KEY=change-me\n")
    keys = set()
    for _ in range(2):
        (tmp_path / ".env").unlink(missing_ok=True)
        post_gen.write_env_file(tmp_path)
        env = dict(line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines())
        assert env["DATABASE_URL"] == "driver://host/pkg"
        assert len(env["API_KEY"]) >= 40
        keys.add(env["API_KEY"])
    assert len(keys) == 2
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


@pytest.mark.parametrize("cache", CACHES)
@pytest.mark.parametrize(("strategy", "database"), COMBINATIONS, ids=COMBINATION_IDS)
def test_next_steps_are_three_commands_for_the_choice(tmp_path: Path, strategy: str, database: str, cache: str) -> None:
    context = hook_context(strategy, database, cache)
    lines = post_gen.next_steps(tmp_path / "pkg", context, post_gen.template_environment(context)).splitlines()

    assert lines[1:3] == ["  cd pkg", "  uv sync"]
    assert lines[3].endswith("uv run pytest") and len(lines) == 4
    services = {"db-test"} if database in SERVER_DATABASES else set()
    services |= {"redis-test"} if cache == "redis" else set()
    started = lines[3].removeprefix("  docker compose up -d ").split(" && ")[0].split() if services else []
    assert set(started) == services, "the test services Docker starts: the database's, and Redis's"


def test_every_bake_gets_its_own_api_key(cookies: Cookies) -> None:
    paths = [bake(cookies, STRATEGIES[0], DATABASES[0]).path for _ in range(2)]
    keys = {(path / ".env").read_text().split("API_KEY=")[1] for path in paths}
    assert len(keys) == 2


def test_non_ascii_and_quoted_names_render(cookies: Cookies) -> None:
    baked = bake(cookies, STRATEGIES[0], DATABASES[0], project_name='Café "Über" Service')

    assert baked.path.name == "cafe_uber_service"
    assert 'Café "Über" Service' in (baked.path / "README.md").read_text()
    assert tomllib.loads((baked.path / "pyproject.toml").read_text())["project"]["name"] == "cafe_uber_service"
    ast.parse((baked.path / baked.package / "main.py").read_text())


@pytest.mark.parametrize("field", ["test_strategy", "database", "cache"])
def test_an_unknown_choice_fails_at_render_time(tmp_path: Path, field: str) -> None:
    """No catch-all branch renders some other choice's files: a value without a folder stops the run.

    Cookiecutter itself refuses values outside the list, so the context is built by hand, as a
    new choice added to ``cookiecutter.json`` without its folder would be.
    """
    context = generate_context(str(TEMPLATE / "cookiecutter.json"))
    context["cookiecutter"][field] = "not_a_choice"
    answers = prompt_for_config(context, no_input=True)

    with pytest.raises(TemplateNotFound, match="not_a_choice"):
        generate_files(
            str(TEMPLATE),
            {"cookiecutter": answers},
            output_dir=str(tmp_path),
            accept_hooks=False,
        )


def test_the_cli_prints_the_next_steps(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            Path(sys.executable).parent / "cookiecutter",
            "--no-input",
            str(TEMPLATE),
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-3:-1] == ["  cd task_service", "  uv sync"]


def test_an_existing_env_file_is_kept(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("API_KEY=mine\n")

    post_gen.write_env_file(tmp_path)

    assert (tmp_path / ".env").read_text() == "API_KEY=mine\n"


def test_a_project_gets_the_lock_of_its_requirements_under_its_own_name(cookies: Cookies) -> None:
    baked = bake(cookies, STRATEGIES[0], DATABASES[0], project_name="Billing Core")
    pyproject = (baked.path / "pyproject.toml").read_text()
    committed = lockfiles.lock_path(pyproject, "billing_core").read_text()

    lock = (baked.path / "uv.lock").read_text()
    assert lock == committed.replace('name = "locked-project"', 'name = "billing-core"')
    assert 'name = "billing-core"' in lock and "locked-project" not in lock


def test_a_missing_lock_stops_the_bake_with_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    """A template whose requirements changed without `scripts/lock_projects.py` being run."""
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE, template, ignore=shutil.ignore_patterns(".git", ".venv", "samples", "locks"))
    (template / "templates" / "locks").mkdir()
    output = tmp_path / "out"
    output.mkdir()

    result = subprocess.run(
        [Path(sys.executable).parent / "cookiecutter", "--no-input", str(template), "-o", str(output)],
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR: the template has no uv.lock")]
    assert len(errors) == 1 and "run `python scripts/lock_projects.py`" in errors[0], result.stderr
    assert list(output.iterdir()) == []


def test_the_python_choices_are_the_pythons_the_projects_support() -> None:
    """``cookiecutter.json`` offers them (newest first, the default); ``templates/choices.j2`` lists them for CI."""
    choices = (TEMPLATE / "templates" / "choices.j2").read_text()
    listed = json.loads(choices.split("{%- set pythons = ", 1)[1].split(" -%}", 1)[0])
    offered = json.loads((TEMPLATE / "cookiecutter.json").read_text())["python_version"]

    assert listed == sorted(offered, key=lambda version: tuple(map(int, version.split("."))))


def wheel_pythons(lock: dict[str, Any], candidates: list[str]) -> dict[str, set[str]]:
    """For each package of ``lock`` that ships compiled wheels, the ``candidates`` it has one for."""
    supported = {}
    for package in lock["package"]:
        tags = [
            wheel["url"].rsplit("/", 1)[1].removesuffix(".whl").split("-")[-3:] for wheel in package.get("wheels", [])
        ]
        if not tags or any(abi == "none" for _python, abi, _platform in tags):
            continue  # pure Python (or only a source distribution): any Python will do
        versions = set()
        for python, abi, _platform in tags:
            for candidate in candidates:
                digits = candidate.replace(".", "")
                floor = python.removeprefix("cp")
                if python == f"cp{digits}" or (abi == "abi3" and int(floor[1:]) <= int(digits[1:])):
                    versions.add(candidate)
        supported[package["name"]] = versions
    return supported


def test_the_default_python_is_the_newest_every_dependency_has_wheels_for() -> None:
    """Read off the committed locks: every compiled package of every choice has a wheel for it."""
    offered = json.loads((TEMPLATE / "cookiecutter.json").read_text())["python_version"]
    candidates = sorted(offered, key=lambda version: tuple(map(int, version.split("."))))
    everywhere = set(candidates)
    for path in (TEMPLATE / "templates" / "locks").glob("*.lock"):
        for versions in wheel_pythons(tomllib.loads(path.read_text()), candidates).values():
            everywhere &= versions

    assert offered[0] == max(everywhere, key=lambda version: tuple(map(int, version.split("."))))
