"""Finish a freshly rendered project: the chosen strategy's own files, its uv.lock, .env, what's next.

One small function per concern; the template tests import and unit-test them.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment


def template_environment(context: dict[str, Any]) -> Environment:
    """The template's Jinja environment, as cookiecutter's, able to load the ``templates/`` folder.

    Plain Jinja (strict, newlines kept, the template's filters), not cookiecutter's own: under
    copier this runs in copier's Python, where cookiecutter is not installed.
    """
    repo = Path(context["_repo_dir"]).resolve()
    # For the template's Jinja extensions (local_extensions.py) and the lock lookup (hooks/lockfiles.py).
    sys.path[:0] = [str(repo), str(repo / "hooks")]
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader([str(repo / "templates")]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=["local_extensions.TemplateFilters"],
    )


def add_choice_files(project: Path, context: dict[str, Any], env: Environment, folder: str) -> list[Path]:
    """Render ``templates/<folder>/project/`` into the project; return the files written.

    A choice that needs files of its own (the seeder of ``self_healing_seed``, the cache module
    of ``cache=redis``) keeps them in its folder, so the shared project tree never names it.
    """
    templates = Path(context["_repo_dir"]).resolve() / "templates"
    overlay = templates / folder / "project"
    if not overlay.is_dir():
        return []
    written = []
    for source in sorted(path for path in overlay.rglob("*") if path.is_file()):
        relative = env.from_string(source.relative_to(overlay).as_posix()).render(cookiecutter=context)
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        name = source.relative_to(templates).as_posix()
        target.write_text(env.get_template(name).render(cookiecutter=context), encoding="utf-8")
        written.append(target)
    return written


def add_strategy_files(project: Path, context: dict[str, Any], env: Environment) -> list[Path]:
    """The chosen test strategy's own files: ``templates/strategies/<strategy>/project/``."""
    return add_choice_files(project, context, env, f"strategies/{context['test_strategy']}")


def add_cache_files(project: Path, context: dict[str, Any], env: Environment) -> list[Path]:
    """The chosen cache's own files, ``templates/caches/<cache>/project/`` (none for ``cache=none``)."""
    return add_choice_files(project, context, env, f"caches/{context['cache']}")


def add_lock_file(project: Path, context: dict[str, Any]) -> None:
    """The template's ``uv.lock`` for the requirements the project's ``pyproject.toml`` declares.

    The locks are committed in ``templates/locks/`` (``scripts/lock_projects.py`` makes them), so
    every project gets exactly the versions the template's tests ran, whenever it is rendered.
    """
    from lockfiles import lock_for

    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    (project / "uv.lock").write_text(lock_for(pyproject, context["project_slug"]), encoding="utf-8")


def write_env_file(project: Path) -> None:
    """A private .env: the settings of .env.example with a fresh API key (never committed).

    An existing .env (re-rendering over a project to update it) is left alone.
    """
    env = project / ".env"
    if env.exists():
        return
    settings = [
        line
        for line in (project / ".env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    key = secrets.token_urlsafe(32)
    lines = [f"API_KEY={key}" if line.startswith("API_KEY=") else line for line in settings]
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env.chmod(0o600)


def next_steps(project: Path, context: dict[str, Any], env: Environment) -> str:
    """The three commands to run next: cd, install from the lock, test (as the chosen database needs it)."""
    # {% raw %} (cookiecutter renders this hook: keep the Jinja below for the environment above)
    test = env.from_string('{% import "choices.j2" as c with context %}{{ c.test_command }}')
    # {% endraw %}
    return "\n".join(
        [
            f"Created {project.name}: {context['test_strategy']} tests on {context['database']}. Next:",
            f"  cd {project.name}",
            "  uv sync",
            f"  {test.render(cookiecutter=context)}",
        ]
    )


def finish(project: Path, context: dict[str, Any]) -> Environment:
    """Everything a render needs after the shared tree: under cookiecutter, cruft and copier alike.

    Safe to run again on the same project (copier runs it in ``copier update``'s renders too):
    the files are written anew, an existing ``.env`` is kept.
    """
    env = template_environment(context)
    add_strategy_files(project, context, env)
    add_cache_files(project, context, env)
    try:
        add_lock_file(project, context)
    except LookupError as missing:
        # cookiecutter deletes the half-made project when this hook fails, copier when its task does.
        print(f"ERROR: {missing}", file=sys.stderr)
        sys.exit(1)
    write_env_file(project)
    return env


def main() -> None:
    project = Path.cwd()
    context: dict[str, Any] = json.loads(r"""{{ cookiecutter | jsonify }}""")
    # Both cookiecutter and cruft render this hook inside the template's directory
    # (cookiecutter/hooks.py: run_hook_from_repo_dir), as an absolute path. The context's own
    # _repo_dir may be relative (`cookiecutter .`), and under cruft it is missing.
    context["_repo_dir"] = r"""{{ rendering_dir() }}"""
    env = finish(project, context)
    print(next_steps(project, context, env))


if __name__ == "__main__":
    main()
