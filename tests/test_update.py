"""README "Updating a generated project", "With cruft", typed as written: cruft merges template changes into a
project the user edited, and switches its strategy.

The README's commands run in order, each as a shell line, in a fresh venv where its install line
installed cruft; the only change is the template's address (a local git repository standing in
for ``gh:org/template``). Prompts are answered as a person would: Enter for the defaults, the
number of a choice, ``y`` to apply an update. Between the commands the user does what the README
asks of them: commits the project, edits it; the template moves on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .baking import CHOICES, PYTHON_DEFAULTS, TEMPLATE, Cookies, bake
from .updating import (
    BASH_BLOCK,
    DATABASE,
    PUBLISHED,
    TEMPLATE_CHANGE,
    USER_EDIT,
    committed_template,
    git,
    move_template_on,
    own_files,
    strategy_with_own_files,
)

# A README line, the directory to run it in, and what the person types at its prompts.
Shell = Callable[..., subprocess.CompletedProcess[str]]


def update_section_commands() -> tuple[list[str], list[str]]:
    """The two blocks of the section on cruft: install and create; then check, update, switch."""
    section = (TEMPLATE / "README.md").read_text().split("\n### With cruft\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    create, update = ([line for line in block.splitlines() if line.strip()] for block in BASH_BLOCK.findall(section))
    return create, update


CREATE, UPDATE = update_section_commands()
# The strategy the README switches to, and one with files of its own to switch from.
NEW = json.loads(UPDATE[-1].split("--variables-to-update ", 1)[1].split("'")[1])["test_strategy"]
OLD = strategy_with_own_files(other_than=NEW)


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if ".git" not in path.parts}


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is on disk, committed to a repository of its own (cruft reads git)."""
    return committed_template(tmp_path_factory.mktemp("template") / "template")


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory, template_repo: Path) -> Shell:
    """Runs a README line in bash, in a fresh venv where the README's install line has run."""
    venv = tmp_path_factory.mktemp("cruft") / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    environment = {**PYTHON_DEFAULTS, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}

    def run(line: str, cwd: Path, answers: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", line.replace(PUBLISHED, str(template_repo))],
            cwd=cwd,
            env=environment,
            input=answers,
            capture_output=True,
            text=True,
            timeout=300,
        )

    (install,) = [line for line in CREATE if line.startswith("pip install")]
    installed = run(install, venv)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return run


def answers_for(strategy: str, database: str) -> str:
    """What a person types at cookiecutter's prompts: Enter for every default, a number for each choice."""
    inputs = {"test_strategy": strategy, "database": database}
    lines = []
    for key, value in CHOICES.items():
        if key.startswith("_"):
            continue
        lines.append(str(value.index(inputs[key]) + 1) if key in inputs else "")
    return "\n".join(lines) + "\n"


def test_the_readme_update_commands_typed_as_written(
    shell: Shell, template_repo: Path, tmp_path: Path, cookies: Cookies
) -> None:
    assert [line.split()[:2] for line in CREATE] == [["pip", "install"], ["cruft", "create"]]
    assert [line.split()[:2] for line in UPDATE] == [["cruft", "check"], ["cruft", "update"], ["cruft", "update"]]
    create_line = CREATE[1]
    check_line, update_line, switch_line = UPDATE

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    created = shell(create_line, workspace, answers_for(OLD, DATABASE))
    assert created.returncode == 0, created.stdout + created.stderr
    (project,) = workspace.iterdir()
    assert json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]["test_strategy"] == OLD
    old_files = own_files(OLD, project.name)
    assert old_files and old_files <= files_under(project)
    env_file = (project / ".env").read_text()
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")

    # The user edits the project; the template moves on.
    main = project / project.name / "main.py"
    main.write_text(main.read_text() + USER_EDIT)
    git(project, "commit", "-qam", "our edit")
    move_template_on(template_repo)
    template_files = files_under(template_repo)

    assert shell(check_line, project).returncode != 0, "cruft check must see the new template commit"
    updated = shell(update_line, project, "y\n")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "Apply diff and update?" in updated.stdout, "the update asked before applying"

    assert main.read_text().endswith(USER_EDIT)
    assert (project / "README.md").read_text().endswith(TEMPLATE_CHANGE)
    assert (project / ".env").read_text() == env_file
    assert shell(check_line, project).returncode == 0
    assert sorted(git(project, "status", "--porcelain").splitlines()) == [" M .cruft.json", "M  README.md"]
    git(project, "commit", "-qam", "template update")

    switched = shell(switch_line, project, "y\n")
    assert switched.returncode == 0, switched.stdout + switched.stderr

    assert not any((project / path).exists() for path in old_files), f"{OLD}'s own files must go"
    assert main.read_text().endswith(USER_EDIT)
    assert (project / "README.md").read_text().endswith(TEMPLATE_CHANGE)
    assert json.loads((project / ".cookiecutter.json").read_text())["test_strategy"] == NEW
    fresh = bake(cookies, NEW, DATABASE)
    for name in ("tests/conftest.py", "pytest.ini", "uv.lock"):
        assert (project / name).read_text() == (fresh.path / name).read_text(), name
    assert [path.name for path in workspace.iterdir()] == [project.name], "nothing written beside the project"
    assert files_under(template_repo) == template_files
    assert git(template_repo, "status", "--porcelain") == ""
