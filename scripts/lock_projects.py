"""Lock what the generated projects install: one ``uv.lock`` per distinct set of requirements.

    python scripts/lock_projects.py            # lock new or changed requirements, keep the other versions
    python scripts/lock_projects.py --upgrade  # move every lock to the newest releases that fit

Every strategy x database is rendered (``pyproject.toml`` only, for a project named
``lockfiles.PLACEHOLDER``), and each distinct set of requirements is locked with ``uv lock`` into
``templates/locks/<key>.lock``; the post-gen hook gives each bake the one its requirements name.
A lock's old versions are kept unless ``--upgrade``, locks nothing uses any more are deleted,
and the samples, which carry their locks, are regenerated last. Then run the template's tests:
they install every sample from its lock and run its suite.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[1]
PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
# The template (its Jinja extensions), its hooks (lockfiles) and its scripts (regenerate_samples).
sys.path[:0] = [str(TEMPLATE), str(TEMPLATE / "hooks"), str(TEMPLATE / "scripts")]

import lockfiles  # hooks/lockfiles.py
import regenerate_samples

UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"


def post_gen_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("post_gen_project", TEMPLATE / "hooks" / "post_gen_project.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def combinations() -> list[dict[str, str]]:
    """Every strategy x database x cache, as answers: each needs a lock, sampled or not."""
    options = regenerate_samples.choices()
    return [
        {"test_strategy": strategy, "database": database, "cache": cache}
        for strategy in options["test_strategy"]
        for database in options["database"]
        for cache in options["cache"]
    ]


def answers(choices: dict[str, str]) -> dict[str, Any]:
    """The context ``cookiecutter --no-input`` would render these choices with, for the placeholder name."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    extra = {**choices, "project_slug": lockfiles.PLACEHOLDER}
    context = generate_context(str(TEMPLATE / "cookiecutter.json"), extra_context=extra)
    return {**prompt_for_config(context, no_input=True), "_repo_dir": str(TEMPLATE)}


def rendered_pyproject(choices: dict[str, str]) -> str:
    context = answers(choices)
    env = post_gen_hook().template_environment(context)
    return env.from_string((PROJECT / "pyproject.toml").read_text(encoding="utf-8")).render(cookiecutter=context)


def lock(pyproject: str, previous: Path | None) -> str:
    """``uv lock`` for this ``pyproject.toml``, starting from ``previous`` (its versions are kept where they fit)."""
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        (project / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        if previous is not None:
            shutil.copy(previous, project / "uv.lock")
        subprocess.run(
            [UV, "lock", "--quiet"],
            cwd=project,
            env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
            check=True,
        )
        return (project / "uv.lock").read_text(encoding="utf-8")


def main(argv: list[str]) -> None:
    upgrade = "--upgrade" in argv
    wanted: dict[Path, tuple[str, list[str]]] = {}
    for choices in combinations():
        name = "-".join(choices.values())
        pyproject = rendered_pyproject(choices)
        path = lockfiles.lock_path(pyproject, lockfiles.PLACEHOLDER)
        wanted.setdefault(path, (pyproject, []))[1].append(name)

    lockfiles.LOCKS.mkdir(exist_ok=True)
    existing = sorted(lockfiles.LOCKS.glob("*.lock"))
    for path, (pyproject, names) in wanted.items():
        # New requirements start from another lock, so the locks agree on the versions they share.
        previous = None if upgrade else path if path.is_file() else next(iter(existing), None)
        path.write_text(lock(pyproject, previous), encoding="utf-8")
        print(f"locked {path.relative_to(TEMPLATE)} for {', '.join(names)}")
    for stale in sorted(set(existing) - set(wanted)):
        stale.unlink()
        print(f"deleted {stale.relative_to(TEMPLATE)}: no combination needs it")

    regenerate_samples.main([])


if __name__ == "__main__":
    main(sys.argv[1:])
