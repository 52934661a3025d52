"""Reject inputs that would render a broken project, before anything is written.

Each check is a small function that returns an error message or ``None``; the
template tests import them directly. ``local_extensions.py`` runs the same checks
while cookiecutter is still prompting, so a bad answer stops the run before any
directory exists; this hook is the backstop for replayed answers.
"""

from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path

SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]*")

# The project's own top-level names beside its package (pytest would confuse them with it).
PROJECT_NAMES = frozenset({"app", "migrations", "test", "tests"})


def reserved_names() -> frozenset[str]:
    """Names a slug must not take: the project's own, and every package a committed lock installs."""
    from lockfiles import locked_packages  # hooks/lockfiles.py: on sys.path here, see main()

    return PROJECT_NAMES | {name.replace("-", "_") for name in locked_packages()}


def project_name_error(name: str) -> str | None:
    if not name.strip():
        return "project_name is empty: give the project a name, e.g. 'Task Service'"
    return None


def project_slug_error(slug: str) -> str | None:
    if not slug:
        return "project_slug is empty: use lowercase letters, digits and '_', e.g. 'task_service'"
    if not SLUG_PATTERN.fullmatch(slug):
        return (
            f"project_slug {slug!r} is not a valid package name: it must start with a "
            "lowercase letter and contain only lowercase letters, digits and '_'"
        )
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return f"project_slug {slug!r} is a Python keyword: pick another name"
    if slug in sys.stdlib_module_names:
        return f"project_slug {slug!r} shadows the standard library module {slug!r}: pick another name"
    if slug in reserved_names():
        return f"project_slug {slug!r} shadows a package a generated project depends on: pick another name"
    return None


def input_error(name: str, slug: str) -> str | None:
    """The first thing wrong with the answers, as one line, or ``None``."""
    return project_name_error(name) or project_slug_error(slug)


def main() -> int:
    # Cookiecutter renders this hook in the template's directory (rendering_dir); lockfiles is beside it.
    sys.path.insert(0, str(Path(r"""{{ rendering_dir() }}""") / "hooks"))
    error = input_error({{ cookiecutter.project_name | jsonify }}, {{ cookiecutter.project_slug | jsonify }})
    if error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
