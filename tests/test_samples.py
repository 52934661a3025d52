"""The committed samples are exactly what the template renders from their answers files, and the
locks they carry match their requirements; the template's own tools are pinned from their input."""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .baking import (
    COMBINATION_IDS,
    DATABASES,
    PYTHON_DEFAULTS,
    REDIS_DIAGONAL,
    STRATEGIES,
    TEMPLATE,
    UV,
    Baked,
    load_module,
)

regenerate_samples = load_module(TEMPLATE / "scripts" / "regenerate_samples.py")
lock_projects = load_module(TEMPLATE / "scripts" / "lock_projects.py")

SAMPLES = TEMPLATE / "samples"
SAMPLE_NAMES = regenerate_samples.sample_names()


def tree(root: Path) -> dict[str, Path]:
    return {
        str(path.relative_to(root)): path
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not any(p.endswith("_cache") for p in path.parts)
    }


def test_there_is_one_sample_per_combination_and_one_with_redis_per_pair_of_its_diagonal() -> None:
    redis = [f"{strategy}-{database}-redis" for strategy, database in REDIS_DIAGONAL]
    assert sorted(path.name for path in SAMPLES.iterdir()) == sorted(COMBINATION_IDS + redis)
    assert {strategy for strategy, _ in REDIS_DIAGONAL} == set(STRATEGIES)
    assert {database for _, database in REDIS_DIAGONAL} == set(DATABASES)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_matches_a_fresh_render(name: str, tmp_path: Path) -> None:
    sample = SAMPLES / name
    answers = json.loads((sample / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert not any(key.startswith("_") for key in answers), "answers files hold user-facing inputs only"
    fresh = tmp_path / name
    regenerate_samples.render(answers, fresh)

    committed, rendered = tree(sample), tree(fresh)
    committed.pop(".env", None)
    differing = sorted(
        set(committed) ^ set(rendered)
        | {
            rel
            for rel in set(committed) & set(rendered)
            if not filecmp.cmp(committed[rel], rendered[rel], shallow=False)
        }
    )
    assert differing == [], f"samples/{name} is stale: run `python scripts/regenerate_samples.py` ({differing})"


def test_sample_names_come_from_cookiecutter_json() -> None:
    assert SAMPLE_NAMES[: len(COMBINATION_IDS)] == COMBINATION_IDS


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_lock_matches_its_pyproject(name: str) -> None:
    """``uv lock --check``: what ``uv sync --locked`` insists on, in CI and in the Docker image."""
    result = subprocess.run(
        [UV, "lock", "--check"], cwd=SAMPLES / name, capture_output=True, text=True, env=PYTHON_DEFAULTS
    )

    assert result.returncode == 0, f"run `python scripts/lock_projects.py`:\n{result.stderr}"


def test_every_committed_lock_is_one_a_combination_uses() -> None:
    used = {
        lock_projects.lockfiles.lock_path(lock_projects.rendered_pyproject(choices), "locked_project")
        for choices in lock_projects.combinations()
    }

    assert sorted(lock_projects.lockfiles.LOCKS.glob("*.lock")) == sorted(used)


def test_the_template_tools_are_pinned_from_their_input(tmp_path: Path) -> None:
    """requirements-dev.txt is requirements-dev.in compiled (uv keeps the pins it finds)."""
    for name in ("requirements-dev.in", "requirements-dev.txt"):
        shutil.copy(TEMPLATE / name, tmp_path / name)
    command = (UV, "pip", "compile", "--quiet", "--universal", "--python-version", "3.11", "requirements-dev.in")
    result = subprocess.run([*command, "-o", "requirements-dev.txt"], cwd=tmp_path, capture_output=True, text=True)
    compiled = tmp_path / "requirements-dev.txt"

    assert result.returncode == 0, result.stderr
    assert compiled.read_text() == (TEMPLATE / "requirements-dev.txt").read_text(), (
        "requirements-dev.txt is stale: compile it (the command is in requirements-dev.in)"
    )


def test_the_default_project_has_a_duration_for_every_test(tmp_path: Path) -> None:
    """pytest-split balances the CI shards by `.test_durations`: refresh it when tests are added or removed."""
    # Collected in a copy: collecting writes caches (.hypothesis/) that must not land in the sample.
    sample = shutil.copytree(SAMPLES / COMBINATION_IDS[0], tmp_path / "sample")
    project = Baked(*COMBINATION_IDS[0].split("-"), sample)
    collected = project.run(*project.pytest_command("--collect-only", "-q", "-p", "no:randomly"))
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr
    tests = {line for line in collected.stdout.splitlines() if "::" in line}
    durations = json.loads((sample / ".test_durations").read_text(encoding="utf-8"))
    assert sorted(tests - set(durations)) == [], "run `python scripts/refresh_durations.py`"
    assert sorted(set(durations) - tests) == [], "run `python scripts/refresh_durations.py`"
