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

SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]*")

# Distributions and import names the generated project depends on (or that
# pytest would confuse with the project's own packages).
RESERVED_NAMES = frozenset(
    {
        "aiosqlite",
        "alembic",
        "anyio",
        "app",
        "asgi_lifespan",
        "asyncmy",
        "asyncpg",
        "fastapi",
        "greenlet",
        "httpx",
        "migrations",
        "mypy",
        "psycopg",
        "pydantic",
        "pydantic_settings",
        "pymysql",
        "pytest",
        "pytest_asyncio",
        "pytest_randomly",
        "ruff",
        "sqlalchemy",
        "starlette",
        "test",
        "tests",
        "uvicorn",
    }
)


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
    if slug in RESERVED_NAMES:
        return f"project_slug {slug!r} shadows a package the project depends on: pick another name"
    return None


def input_error(name: str, slug: str) -> str | None:
    """The first thing wrong with the answers, as one line, or ``None``."""
    return project_name_error(name) or project_slug_error(slug)


def main() -> int:
    error = input_error({{ cookiecutter.project_name | jsonify }}, {{ cookiecutter.project_slug | jsonify }})
    if error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
