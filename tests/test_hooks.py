"""The hooks' functions, and bad inputs rejected with one line and nothing left behind."""

from __future__ import annotations

import importlib.util
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

from .conftest import TEMPLATE


def load_hook(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, TEMPLATE / "hooks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = load_hook("pre_gen_project")
post_gen = load_hook("post_gen_project")

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
    ({"project_slug": "fastapi"}, "shadows a package the project depends on"),
    ({"project_slug": "sqlalchemy"}, "shadows a package the project depends on"),
    ({"project_slug": "test"}, "shadows"),
    ({"project_slug": "tests"}, "shadows a package the project depends on"),
    ({"project_name": "3D Printer Farm"}, "'3d_printer_farm' is not a valid package name"),
]


@pytest.mark.parametrize(("context", "message"), BAD_INPUTS, ids=[str(c) for c, _ in BAD_INPUTS])
def test_bad_input_is_rejected_cleanly(tmp_path: Path, context: dict[str, str], message: str) -> None:
    with pytest.raises(FailedHookException) as rejected:
        cookiecutter(str(TEMPLATE), no_input=True, extra_context=context, output_dir=str(tmp_path))

    error = str(rejected.value)
    assert message in error
    assert error.startswith("ERROR: ") and "\n" not in error
    assert list(tmp_path.iterdir()) == []


def test_the_cli_prints_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [Path(sys.executable).parent / "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(tmp_path), "project_slug="],
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


@pytest.mark.parametrize("strategy", ["rollback_isolation", "pragmatic", "sync_testclient", "self_healing_seed"])
def test_seeder_is_kept_only_for_self_healing_seed(tmp_path: Path, strategy: str) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "seed.py").write_text("")

    post_gen.remove_seeder(tmp_path, "pkg", strategy)

    assert (tmp_path / "pkg" / "seed.py").exists() == (strategy == "self_healing_seed")


@pytest.mark.parametrize(("database", "scheme"), [("postgresql", "postgresql://"), ("sqlite", "sqlite:///")])
def test_env_file_is_private_with_a_fresh_key(tmp_path: Path, database: str, scheme: str) -> None:
    keys = set()
    for _ in range(2):
        (tmp_path / ".env").unlink(missing_ok=True)
        post_gen.write_env_file(tmp_path, database, "pkg")
        env = dict(line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines())
        assert env["DATABASE_URL"].startswith(scheme)
        assert len(env["API_KEY"]) >= 40
        keys.add(env["API_KEY"])
    assert len(keys) == 2
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


def test_every_bake_gets_its_own_api_key(cookies) -> None:  # type: ignore[no-untyped-def]
    keys = {(cookies.bake().project_path / ".env").read_text().split("API_KEY=")[1] for _ in range(2)}
    assert len(keys) == 2


def test_non_ascii_and_quoted_names_render(cookies) -> None:  # type: ignore[no-untyped-def]
    result = cookies.bake(extra_context={"project_name": 'Café "Über" Service'})

    assert result.exit_code == 0, result.exception
    assert result.project_path.name == "cafe_uber_service"
    assert 'Café "Über" Service' in (result.project_path / "README.md").read_text()


def test_an_existing_env_file_is_kept(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("API_KEY=mine\n")

    post_gen.write_env_file(tmp_path, "postgresql", "pkg")

    assert (tmp_path / ".env").read_text() == "API_KEY=mine\n"
