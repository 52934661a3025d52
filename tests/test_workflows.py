"""The GitHub workflows, the template's and every sample's: valid, pinned, least-privileged.

zizmor (the GitHub Actions linter) finds nothing at medium severity or above: every action is
pinned by commit, every workflow declares its permissions, no checkout keeps its credentials.
The matrices come from cookiecutter.json; the generated projects pin the same action commits
as the template's own workflows (which Dependabot keeps current).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .baking import BIN, COMBINATION_IDS, PYTHONS, TEMPLATE, load_module

WORKFLOWS = TEMPLATE / ".github" / "workflows"
SAMPLES = TEMPLATE / "samples"
SAMPLE_NAMES = load_module(TEMPLATE / "scripts" / "regenerate_samples.py").sample_names()
USES = re.compile(r"uses: ([\w./-]+)@(\S+)")
# templates/actions.j2: {%- set checkout = "actions/checkout@<commit>  # v7.0.1" -%}
PINNED = re.compile(r'= "([\w./-]+)@(\S+)  # v[\d.]+"')


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", schema, *files], capture_output=True, text=True
    )


def test_zizmor_finds_nothing_in_any_workflow() -> None:
    sample_workflows = sorted(SAMPLES.glob("*/.github/workflows"))
    assert len(sample_workflows) == len(SAMPLE_NAMES)
    result = subprocess.run(
        [BIN / "zizmor", "--offline", "--min-severity", "medium", WORKFLOWS, *sample_workflows],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_the_template_workflows_and_dependabot_files_pass_their_schemas() -> None:
    workflows = sorted(WORKFLOWS.glob("*.yml"))
    assert {path.name for path in workflows} == {"template.yml", "canary.yml"}
    result = check_jsonschema("vendor.github-workflows", *workflows)
    assert result.returncode == 0, result.stdout + result.stderr

    dependabot = [TEMPLATE / ".github" / "dependabot.yml", *sorted(SAMPLES.glob("*/.github/dependabot.yml"))]
    assert len(dependabot) == len(SAMPLE_NAMES) + 1
    result = check_jsonschema("vendor.dependabot", *dependabot)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_action_is_pinned_by_commit_and_projects_pin_what_the_template_pins() -> None:
    template = {}
    for workflow in WORKFLOWS.glob("*.yml"):
        template |= dict(USES.findall(workflow.read_text()))
    generated = dict(PINNED.findall((TEMPLATE / "templates" / "actions.j2").read_text()))

    assert all(re.fullmatch(r"[0-9a-f]{40}", commit) for commit in [*template.values(), *generated.values()])
    shared = set(template) & set(generated)
    assert shared, "the template's workflows use the actions the projects' do"
    assert {name: generated[name] for name in shared} == {name: template[name] for name in shared}, (
        "templates/actions.j2 lags the template's workflows: copy the newer commits (and their comments) there"
    )


def test_the_matrices_come_from_cookiecutter_json() -> None:
    for workflow in ("template.yml", "canary.yml"):
        text = (WORKFLOWS / workflow).read_text()
        assert "fromJSON(needs.choices.outputs.samples)" in text
        assert "fromJSON(needs.choices.outputs.pythons)" in text
        assert not any(name in text for name in COMBINATION_IDS), "the matrix is computed, not copied"

    matrix = subprocess.run(
        [sys.executable, "scripts/regenerate_samples.py", "--matrix"], cwd=TEMPLATE, capture_output=True, text=True
    )
    assert matrix.returncode == 0, matrix.stderr
    outputs = dict(line.split("=", 1) for line in matrix.stdout.splitlines())
    assert json.loads(outputs["samples"]) == SAMPLE_NAMES
    assert json.loads(outputs["pythons"]) == PYTHONS


@pytest.mark.parametrize("dependencies", ["uv sync --upgrade", "uv sync --locked"])
def test_the_canary_runs_weekly_on_the_newest_releases_and_on_the_locks(dependencies: str) -> None:
    text = (WORKFLOWS / "canary.yml").read_text()

    assert re.search(r"schedule:\n\s+- cron: \"\d+ \d+ \* \* \d\"", text), "weekly"
    assert "workflow_dispatch:" in text
    assert f"run: {dependencies}" in text
    assert "run: uv run pytest" in text


def test_the_container_job_runs_the_docker_commands_the_generated_readme_gives() -> None:
    readme = (SAMPLES / COMBINATION_IDS[0] / "README.md").read_text()
    documented = [
        line.split("#")[0].strip()
        for block in re.findall(r"^```bash\n(.*?)^```", readme, re.DOTALL | re.MULTILINE)
        for line in block.splitlines()
        if line.startswith("docker compose") and "db-test" not in line
    ]
    job = (WORKFLOWS / "template.yml").read_text().split("\n  containers:\n", 1)[1]

    assert documented == ["docker compose run --rm tests", "docker compose up --build --detach --wait"]
    assert re.findall(r"^      - run: (docker compose .*)$", job, re.MULTILINE)[: len(documented)] == documented
    assert "http://127.0.0.1:8000/health" in job and "X-API-Key: $API_KEY" in job
