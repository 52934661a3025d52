"""Which committed ``uv.lock`` a rendered project gets.

The locks live in ``templates/locks/``, one per distinct set of requirements (the strategies that
need the same tools share one), each made by ``scripts/lock_projects.py`` for a project named
``PLACEHOLDER``. A rendered project finds its lock by the key of the requirements its
``pyproject.toml`` declares, and gets it with its own name in place of the placeholder.

Plain functions of text and paths, no cookiecutter: the post-gen hook and the lock script share them.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from functools import cache
from pathlib import Path

# The project name the committed locks are made for; every bake swaps in its own.
PLACEHOLDER = "locked_project"
LOCKS = Path(__file__).resolve().parents[1] / "templates" / "locks"


class MissingLock(LookupError):
    """The template has no lock for these requirements: ``scripts/lock_projects.py`` was not run."""


def normalized(name: str) -> str:
    """A distribution name as uv.lock writes it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(pyproject: str, slug: str) -> dict[str, object]:
    """What uv locks from ``pyproject``, with the project's references to itself under the placeholder."""
    data = tomllib.loads(pyproject)
    project = data["project"]

    def own_name_as_placeholder(requirement: str) -> str:
        name = re.match(r"[A-Za-z0-9._-]+", requirement)
        if name and normalized(name.group()) == normalized(slug):
            return PLACEHOLDER + requirement[name.end() :]
        return requirement

    return {
        "requires-python": project.get("requires-python"),
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {
            extra: sorted(items) for extra, items in sorted(project.get("optional-dependencies", {}).items())
        },
        "dependency-groups": {
            group: sorted(own_name_as_placeholder(item) for item in items)
            for group, items in sorted(data.get("dependency-groups", {}).items())
        },
    }


def lock_key(pyproject: str, slug: str) -> str:
    """The name of the lock that fits these requirements, whatever the project is called."""
    canonical = json.dumps(requirements(pyproject, slug), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def lock_path(pyproject: str, slug: str, locks: Path = LOCKS) -> Path:
    return locks / f"{lock_key(pyproject, slug)}.lock"


def renamed(lock: str, old: str, new: str) -> str:
    """``lock`` for a project called ``new`` instead of ``old`` (its own entry and references to it)."""
    return lock.replace(f'name = "{normalized(old)}"', f'name = "{normalized(new)}"')


def lock_for(pyproject: str, slug: str, locks: Path = LOCKS) -> str:
    """The committed lock for a project with this ``pyproject.toml``, under the project's own name."""
    path = lock_path(pyproject, slug, locks)
    if not path.is_file():
        raise MissingLock(
            f"the template has no uv.lock for these requirements ({path.name}): "
            "run `python scripts/lock_projects.py` in the template"
        )
    return renamed(path.read_text(encoding="utf-8"), PLACEHOLDER, slug)


@cache
def locked_packages(locks: Path = LOCKS) -> frozenset[str]:
    """Every package some committed lock installs (as ``uv.lock`` names it), the project itself aside."""
    names = set()
    for lock in locks.glob("*.lock"):
        # Each entry opens with its name (a regular expression: parsing every lock's TOML takes half a second).
        names.update(re.findall(r'^\[\[package\]\]\nname = "([^"]+)"$', lock.read_text(encoding="utf-8"), re.MULTILINE))
    return frozenset(names - {normalized(PLACEHOLDER)})
