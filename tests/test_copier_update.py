"""README "Updating a generated project", typed as written: copier copies, updates, switches strategy,
and takes over a project made with cookiecutter.

The README's copier commands run in order, each as a shell line, in a fresh venv where its install
line ran; the only change is the template's address (a local git repository, tagged ``v1`` and
then ``v2``, standing in for ``gh:org/template``). ``copier copy`` asks its questions in a
terminal, and a person answers them: Enter for a default, the arrow keys for a choice. Between
the commands the user does what the README asks of them: commits the project, edits it; the
template moves on.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
import yaml

from .baking import CHOICES, PYTHON_DEFAULTS, STRATEGIES, TEMPLATE, Cookies, bake
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

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")
DOWN, ENTER = "\x1b[B", "\r"


def copier_blocks() -> list[list[str]]:
    """The section's copier blocks: install and copy; update and switch; move a cookiecutter project over."""
    section = (TEMPLATE / "README.md").read_text().split("## Updating a generated project", 1)[1]
    section = section.split("\n### With cruft\n", 1)[0]
    return [[line for line in block.splitlines() if line.strip()] for block in BASH_BLOCK.findall(section)]


(INSTALL, COPY), (UPDATE, SWITCH), MOVE = copier_blocks()
NEW = SWITCH.split("--data test_strategy=", 1)[1].split()[0]
OLD = strategy_with_own_files(other_than=NEW)


def files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """The template as it is on disk, committed to a repository of its own and tagged v1."""
    repo = committed_template(tmp_path / "template")
    git(repo, "tag", "v1")
    return repo


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh venv where the README's install line ran, first on PATH."""
    venv = tmp_path_factory.mktemp("copier") / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    environment = {
        **PYTHON_DEFAULTS,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "TERM": "xterm",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    installed = subprocess.run(["bash", "-c", INSTALL], env=environment, capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return environment


def shell(line: str, cwd: Path, environment: dict[str, str], template: Path) -> subprocess.CompletedProcess[str]:
    """A README line in bash, with the local template for ``gh:org/template``."""
    return subprocess.run(
        ["bash", "-c", line.replace(PUBLISHED, str(template))],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def in_a_terminal(
    line: str, cwd: Path, environment: dict[str, str], template: Path, answers: list[tuple[str, str]]
) -> tuple[int, str]:
    """A README line in a terminal: each time the next question's text shows, its keys are typed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    process = subprocess.Popen(
        ["bash", "-c", line.replace(PUBLISHED, str(template))],
        cwd=cwd,
        env=environment,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    shown, seen, pending = "", 0, list(answers)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if select.select([leader], [], [], 0.1)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is gone: the command ended
                break
            if not chunk:
                break
            shown += chunk.decode(errors="replace")
        screen = ANSI.sub("", shown)
        if pending and (found := screen.find(pending[0][0], seen)) >= 0:
            os.write(leader, pending.pop(0)[1].encode())
            seen = found + 1
    else:
        process.kill()
    os.close(leader)
    assert not pending, f"never asked {pending[0][0]!r}:\n{ANSI.sub('', shown)[-3000:]}"
    return process.wait(timeout=30), ANSI.sub("", shown)


def answers_for(strategy: str, database: str) -> list[tuple[str, str]]:
    """What a person types at copier's questions: Enter for every default, arrows down to a choice."""
    questions = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
    chosen = {"test_strategy": strategy, "database": database}
    typed = []
    for key, question in questions.items():
        if key.startswith("_"):
            continue
        moves = list(question.get("choices", {}).values()).index(chosen[key]) if key in chosen else 0
        typed.append((question["help"], DOWN * moves + ENTER))
    return typed


def test_the_readme_copier_commands_typed_as_written(
    environment: dict[str, str], template_repo: Path, tmp_path: Path, cookies: Cookies
) -> None:
    assert [line.split()[:2] for line in (INSTALL, COPY, UPDATE, SWITCH)] == [
        ["pip", "install"],
        ["copier", "copy"],
        ["copier", "update"],
        ["copier", "update"],
    ]
    workspace = tmp_path / "workspace"
    workspace.mkdir()

    code, screen = in_a_terminal(COPY, workspace, environment, template_repo, answers_for(OLD, DATABASE))
    assert code == 0, screen[-3000:]
    (project,) = workspace.iterdir()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["test_strategy"], answers["database"], answers["_commit"]) == (OLD, DATABASE, "v1")
    assert f"Created {project.name}: {OLD} tests on {DATABASE}. Next:" in screen
    old_files = own_files(OLD, answers["project_slug"])
    assert old_files and old_files <= files(project).keys()
    env_file = (project / ".env").read_text()
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")

    # The user edits the project; the template moves on.
    main = project / answers["project_slug"] / "main.py"
    main.write_text(main.read_text() + USER_EDIT)
    git(project, "commit", "-qam", "our edit")
    move_template_on(template_repo, tag="v2")

    updated = shell(UPDATE, project, environment, template_repo)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert main.read_text().endswith(USER_EDIT)
    assert (project / "README.md").read_text().endswith(TEMPLATE_CHANGE)
    assert (project / ".env").read_text() == env_file
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v2"
    assert sorted(git(project, "status", "--porcelain").splitlines()) == [" M .copier-answers.yml", " M README.md"]
    git(project, "commit", "-qam", "template update")

    switched = shell(SWITCH, project, environment, template_repo)
    assert switched.returncode == 0, switched.stdout + switched.stderr
    assert not any((project / name).exists() for name in old_files), f"{OLD}'s own files must go"
    assert (project / ".env").read_text() == env_file
    # Everything else is the new strategy's render of v2, but for the user's edit.
    fresh = bake(cookies, NEW, DATABASE, template=template_repo)
    expected = files(fresh.path)
    switched_files = files(project)
    main_file = f"{fresh.package}/main.py"
    assert switched_files.pop(main_file) == expected.pop(main_file) + USER_EDIT.encode()
    assert yaml.safe_load(switched_files.pop(".copier-answers.yml"))["test_strategy"] == NEW
    switched_files.pop(".env")
    expected.pop(".env")
    assert switched_files.keys() == expected.keys()
    assert [name for name in switched_files if switched_files[name] != expected[name]] == []
    assert [path.name for path in workspace.iterdir()] == [project.name], "nothing written beside the project"
    assert git(template_repo, "status", "--porcelain") == ""


def test_a_cookiecutter_project_moves_to_copier_as_the_readme_says(
    environment: dict[str, str], template_repo: Path, tmp_path: Path, cookies: Cookies
) -> None:
    baked = bake(cookies, OLD, DATABASE, template=template_repo)
    project = tmp_path / "workspace" / baked.package
    shutil.copytree(baked.path, project)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated with cookiecutter")
    main = project / baked.package / "main.py"
    main.write_text(main.read_text() + USER_EDIT)
    git(project, "commit", "-qam", "our edit")
    before = files(project)

    for line in MOVE:
        moved = shell(line, project, environment, template_repo)
        assert moved.returncode == 0, f"{line}\n{moved.stdout}{moved.stderr}"
    after = files(project)
    answers = yaml.safe_load(after.pop(".copier-answers.yml"))
    assert after == before, "moving to copier changes no file of the project"
    assert git(project, "status", "--porcelain") == ""
    assert (answers["test_strategy"], answers["database"], answers["_commit"]) == (OLD, DATABASE, "v1")

    move_template_on(template_repo, tag="v2")
    updated = shell(UPDATE, project, environment, template_repo)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert main.read_text().endswith(USER_EDIT)
    assert (project / "README.md").read_text().endswith(TEMPLATE_CHANGE)
    assert sorted(git(project, "status", "--porcelain").splitlines()) == [" M .copier-answers.yml", " M README.md"]


def test_a_bad_answer_is_refused_at_its_prompt_and_asked_again(
    environment: dict[str, str], template_repo: Path, tmp_path: Path
) -> None:
    """At copier's prompt, a bad slug shows the hooks' one-line reason; the person types another."""
    clear_line = "\x15"  # Ctrl-U: the prompt starts with the default filled in
    name, slug, *rest = answers_for(STRATEGIES[0], CHOICES["database"][0])
    reason = "project_slug 'class' is a Python keyword: pick another name"
    typed = [name, (slug[0], f"{clear_line}class{ENTER}"), (reason, f"{clear_line}billing{ENTER}"), *rest]
    code, screen = in_a_terminal(COPY, tmp_path, environment, template_repo, typed)
    assert code == 0, screen[-3000:]
    destination = COPY.split("#")[0].split()[-1]
    assert [path.name for path in tmp_path.iterdir() if path.name != "template"] == [destination]
    answers = yaml.safe_load((tmp_path / destination / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "billing"
    assert (tmp_path / destination / "billing" / "main.py").is_file()
