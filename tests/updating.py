"""What the update tests share (cruft's in test_update.py, copier's in test_copier_update.py): the
template as a git repository that moves on, the README's bash blocks, and the user's edit.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from .baking import CHOICES, STRATEGIES, TEMPLATE

BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.DOTALL | re.MULTILINE)
# The template's address in the README; the tests put a local repository in its place.
PUBLISHED = "gh:org/template"
DATABASE = CHOICES["database"][-1]
USER_EDIT = "# The team's own note, kept across updates.\n"
TEMPLATE_CHANGE = "\nA line the template added after the project was made.\n"
# What a copy of the template leaves out: git's own files, environments, caches, the samples.
NOT_THE_TEMPLATE = shutil.ignore_patterns(
    ".git", ".venv", "samples", ".pytest_cache", ".mypy_cache", ".ruff_cache", "__pycache__"
)


def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout


def copy_of_template(destination: Path) -> Path:
    """The template as it is on disk, in a plain folder."""
    shutil.copytree(TEMPLATE, destination, ignore=NOT_THE_TEMPLATE)
    return destination


def committed_template(destination: Path) -> Path:
    """The template as it is on disk, committed to a repository of its own (cruft and copier read git)."""
    copy_of_template(destination)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "commit", "-qm", "template")
    return destination


def move_template_on(repo: Path, tag: str | None = None) -> None:
    """The template's next version: one line more in the project's README."""
    readme = repo / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + TEMPLATE_CHANGE)
    git(repo, "commit", "-qam", "the template moves on")
    if tag:
        git(repo, "tag", tag)


def strategy_with_own_files(other_than: str) -> str:
    """A strategy to switch from that has files of its own (which the switch must remove)."""
    return next(
        name
        for name in STRATEGIES
        if name != other_than and (TEMPLATE / "templates" / "strategies" / name / "project").is_dir()
    )


def own_files(strategy: str, package: str) -> set[str]:
    """The files only ``strategy`` puts in a project whose package is ``package``."""
    overlay = TEMPLATE / "templates" / "strategies" / strategy / "project"
    return {
        path.relative_to(overlay).as_posix().replace("{{cookiecutter.project_slug}}", package)
        for path in overlay.rglob("*")
        if path.is_file()
    }
