"""Finish a freshly rendered project: drop what the chosen options don't use, write .env.

One small function per concern; the template tests import and unit-test them.
"""

from __future__ import annotations

import secrets
from pathlib import Path


def remove_seeder(project: Path, package: str, test_strategy: str) -> None:
    """Only the self-healing strategy has a seeder."""
    if test_strategy != "self_healing_seed":
        (project / package / "seed.py").unlink()


def database_url_for(database: str, package: str) -> str:
    if database == "sqlite":
        return f"sqlite:///./{package}.sqlite3"
    return f"postgresql://postgres:postgres@127.0.0.1:5432/{package}"


def write_env_file(project: Path, database: str, package: str) -> None:
    """A private .env with a fresh API key for every generated project (never committed).

    An existing .env (re-rendering over a project to update it) is left alone.
    """
    env = project / ".env"
    if env.exists():
        return
    env.write_text(
        f"DATABASE_URL={database_url_for(database, package)}\nAPI_KEY={secrets.token_urlsafe(32)}\n",
        encoding="utf-8",
    )
    env.chmod(0o600)


def main() -> None:
    project = Path.cwd()
    package = "{{ cookiecutter.project_slug }}"
    remove_seeder(project, package, "{{ cookiecutter.test_strategy }}")
    write_env_file(project, "{{ cookiecutter.database }}", package)


if __name__ == "__main__":
    main()
