"""The committed samples are exactly what the template renders from their answers files."""

from __future__ import annotations

import filecmp
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .baking import COMBINATION_IDS, TEMPLATE

spec = importlib.util.spec_from_file_location("regenerate_samples", TEMPLATE / "scripts" / "regenerate_samples.py")
assert spec and spec.loader
regenerate_samples = importlib.util.module_from_spec(spec)
spec.loader.exec_module(regenerate_samples)

SAMPLES = TEMPLATE / "samples"


def tree(root: Path) -> dict[str, Path]:
    return {
        str(path.relative_to(root)): path
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not any(p.endswith("_cache") for p in path.parts)
    }


def test_there_is_one_sample_per_combination() -> None:
    assert sorted(path.name for path in SAMPLES.iterdir()) == sorted(COMBINATION_IDS)


@pytest.mark.parametrize("name", COMBINATION_IDS)
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


def test_requirements_list_is_current() -> None:
    samples = [SAMPLES / name for name in COMBINATION_IDS]
    committed = (TEMPLATE / "requirements-projects.txt").read_text(encoding="utf-8")
    assert committed == regenerate_samples.project_requirements(samples), (
        "requirements-projects.txt is stale: run `python scripts/regenerate_samples.py`"
    )


def test_sample_names_come_from_cookiecutter_json() -> None:
    assert regenerate_samples.sample_names() == COMBINATION_IDS


def test_template_workflow_is_valid_and_computes_its_matrix() -> None:
    workflow = TEMPLATE / ".github" / "workflows" / "template.yml"
    result = subprocess.run(
        [
            Path(sys.executable).parent / "check-jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            workflow,
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = workflow.read_text()
    assert "fromJSON(needs.choices.outputs.samples)" in text
    assert not any(name in text for name in COMBINATION_IDS), "the matrix is computed, not copied"

    matrix = subprocess.run(
        [sys.executable, "scripts/regenerate_samples.py", "--matrix"],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
    )
    assert matrix.returncode == 0, matrix.stderr
    assert json.loads(matrix.stdout.removeprefix("samples=")) == COMBINATION_IDS


def test_the_default_project_has_a_duration_for_every_test(tmp_path: Path) -> None:
    """pytest-split balances the CI shards by `.test_durations`: refresh it when tests are added or removed."""
    # Collected in a copy: collecting writes caches (.hypothesis/) that must not land in the sample.
    sample = shutil.copytree(SAMPLES / COMBINATION_IDS[0], tmp_path / "sample")
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
        ],
        cwd=sample,
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr
    tests = {line for line in collected.stdout.splitlines() if "::" in line}
    durations = json.loads((sample / ".test_durations").read_text(encoding="utf-8"))
    assert sorted(tests - set(durations)) == [], "run `python scripts/refresh_durations.py`"
    assert sorted(set(durations) - tests) == [], "run `python scripts/refresh_durations.py`"
