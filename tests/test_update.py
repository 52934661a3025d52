"""README "Updating a generated project": cruft merges template changes into a project the user edited.

End to end on git repositories, as a user would: a copy of the template is committed, a
project is made from it with ``cruft create``, the user commits an edit, the template moves on,
``cruft update`` merges; then switching strategy removes the old strategy's own files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .baking import BIN, DATABASES, STRATEGIES, TEMPLATE, bake

IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "samples",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "__pycache__",
)
# A strategy with files of its own (templates/strategies/<name>/project/), and one to switch to.
OLD = next(name for name in STRATEGIES if (TEMPLATE / "templates" / "strategies" / name / "project").is_dir())
NEW = next(name for name in STRATEGIES if name != OLD)
DATABASE = DATABASES[-1]
USER_EDIT = "# The team's own note, kept across updates.\n"
TEMPLATE_CHANGE = "\nA line the template added after the project was made.\n"


def git(repo: Path, *args: str) -> str:
    command = [
        "git",
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.com",
        *args,
    ]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout


def cruft(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "cruft"), *args],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
    )


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if ".git" not in path.parts}


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is on disk, committed to a repository of its own (cruft reads git)."""
    repo = tmp_path_factory.mktemp("template") / "template"
    shutil.copytree(TEMPLATE, repo, ignore=IGNORED)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "template")
    return repo


def test_update_merges_template_changes_keeps_edits_and_switches_strategy(template_repo: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    context = json.dumps({"test_strategy": OLD, "database": DATABASE})
    created = cruft(
        workspace,
        "create",
        "--no-input",
        "--extra-context",
        context,
        str(template_repo),
    )
    assert created.returncode == 0, created.stdout + created.stderr
    (project,) = workspace.iterdir()
    assert json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]["test_strategy"] == OLD
    overlay = TEMPLATE / "templates" / "strategies" / OLD / "project"
    own_files = {
        path.replace("{{cookiecutter.project_slug}}", project.name)
        for path in files_under(overlay)
        if (overlay / path).is_file()
    }
    assert own_files and own_files <= files_under(project)
    env_file = (project / ".env").read_text()
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")

    main = project / project.name / "main.py"
    main.write_text(main.read_text() + USER_EDIT)
    git(project, "commit", "-qam", "our edit")
    readme = template_repo / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + TEMPLATE_CHANGE)
    git(template_repo, "commit", "-qam", "the template moves on")
    template_files = files_under(template_repo)

    assert cruft(project, "check").returncode != 0, "cruft check must see the new template commit"
    updated = cruft(project, "update", "--skip-apply-ask")
    assert updated.returncode == 0, updated.stdout + updated.stderr

    assert main.read_text().endswith(USER_EDIT)
    assert (project / "README.md").read_text().endswith(TEMPLATE_CHANGE)
    assert (project / ".env").read_text() == env_file
    assert cruft(project, "check").returncode == 0
    assert sorted(git(project, "status", "--porcelain").splitlines()) == [
        " M .cruft.json",
        "M  README.md",
    ]
    git(project, "commit", "-qam", "template update")

    switch = json.dumps({"test_strategy": NEW})
    switched = cruft(project, "update", "--skip-apply-ask", "--variables-to-update", switch)
    assert switched.returncode == 0, switched.stdout + switched.stderr

    assert not any((project / path).exists() for path in own_files), f"{OLD}'s own files must go"
    assert main.read_text().endswith(USER_EDIT)
    assert (project / "README.md").read_text().endswith(TEMPLATE_CHANGE)
    assert json.loads((project / ".cookiecutter.json").read_text())["test_strategy"] == NEW
    fresh = bake(tmp_path / "fresh", NEW, DATABASE)
    for name in ("tests/conftest.py", "pytest.ini"):
        assert (project / name).read_text() == (fresh.path / name).read_text(), name
    assert [path.name for path in workspace.iterdir()] == [project.name], "nothing written beside the project"
    assert files_under(template_repo) == template_files
    assert git(template_repo, "status", "--porcelain") == ""
