"""Mutation testing of a generated project's service: which changes to its code does its suite catch?

    python scripts/mutation.py rollback_isolation postgresql       # bake, run mutmut, report per module
    python scripts/mutation.py sync_testclient sqlite --write-docs # ... and rewrite docs/mutation.md
    python scripts/mutation.py sync_testclient sqlite --project DIR # a project already baked (and installed)

mutmut (pinned below) changes the service package one small edit at a time (a flipped comparison,
another string, a dropped argument) and runs the tests that cover the changed function; a mutant
the tests still pass on *survived*: a behaviour no test pins. The project is baked with the
template's defaults (or taken as given), installed from its lock, and tested on a scratch database
of its own, as the template's tests do. mutmut skips decorated functions (the routes): their
behaviour is pinned through the functions they call and the HTTP tests.

The report gives killed / survived / timeout per module and the raw score (killed / all mutants).
Survivors that no test can kill (the mutant behaves the same, or differs only where nothing can
observe it) are listed with a reason in ``scripts/mutation_survivors.toml``; every other survivor
is printed, and the command exits 1 while there are any, or while the list names a mutant that no
longer survives.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from benchmark import machine
from regenerate_samples import rendered_project

from tests.baking import CHOICES, PYTHON_DEFAULTS, STRATEGIES, TEMPLATE, UV, Baked, scratch_databases

MUTMUT = "mutmut==3.8.1"
# The default answers' package: the names in the survivors list are mutmut's names in it.
PACKAGE = "task_service"
SURVIVORS = TEMPLATE / "scripts" / "mutation_survivors.toml"
DOCS = TEMPLATE / "docs" / "mutation.md"
# Seconds the whole suite may take on one mutant before the mutant counts as a timeout (a hang).
SUITE_TIMEOUT = 600
# What the tests need beside the package and tests/ in mutmut's copy of the project.
ALSO_COPY = ["migrations", "alembic.ini", "pytest.ini"]
RESULT = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+)$")
# A mutant's name: <module>.x_<function>__mutmut_<n>, or <module>.xǁ<Class>ǁ<method>__mutmut_<n>.
MODULE = re.compile(r"^(?P<module>.+?)\.xǁ?")


def configure(baked: Baked) -> None:
    """mutmut's settings, in the scratch project's pyproject.toml."""
    settings = (
        "\n[tool.mutmut]\n"
        f'source_paths = ["{baked.package}/"]\n'
        'pytest_add_cli_args_test_selection = ["tests/"]\n'
        f"also_copy = {ALSO_COPY!r}\n".replace("'", '"')
    )
    pyproject = baked.path / "pyproject.toml"
    if "[tool.mutmut]" not in pyproject.read_text():
        pyproject.write_text(pyproject.read_text() + settings)


def run_mutmut(baked: Baked, env: dict[str, str], children: int) -> dict[str, str]:
    """Every mutant's status, after ``mutmut run``."""
    installed = baked.run(UV, "pip", "install", "--quiet", "--python", baked.tool("python"), MUTMUT)
    assert installed.returncode == 0, installed.stderr
    mutmut = baked.tool("mutmut")
    subprocess.run([mutmut, "run", "--max-children", str(children)], cwd=baked.path, env=env, check=True)
    statuses = results(baked, env)
    survivors = sorted(name for name, status in statuses.items() if status == "survived")
    return statuses | {name: against_the_whole_suite(baked, env, name) for name in survivors}


def against_the_whole_suite(baked: Baked, env: dict[str, str], name: str) -> str:
    """A survivor's status once the whole suite has run on it, in a fresh process.

    mutmut runs a mutant against the tests that called its function while it collected its
    stats, in processes forked after the service was imported. Code that runs once per session
    (``create_app`` behind a session fixture) is then tested by the one test that happened to
    build the session, and code that runs at import (``error_responses`` at module level, the
    schemas' patterns) by none. A fresh ``pytest -x`` with the mutant switched on sees both.
    """
    command = [baked.tool("python"), "-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    try:
        run = subprocess.run(
            command,
            cwd=baked.path / "mutants",
            env={**env, "MUTANT_UNDER_TEST": name},
            capture_output=True,
            timeout=SUITE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return "survived" if run.returncode == 0 else "killed"


def results(baked: Baked, env: dict[str, str]) -> dict[str, str]:
    """Every mutant's status as mutmut recorded it."""
    listed = baked.run(baked.tool("mutmut"), "results", "--all", "true", env=env)
    assert listed.returncode == 0, listed.stderr
    return {match["name"]: match["status"] for line in listed.stdout.splitlines() if (match := RESULT.match(line))}


def per_module(statuses: dict[str, str]) -> dict[str, Counter[str]]:
    modules: dict[str, Counter[str]] = {}
    for name, status in statuses.items():
        module = MODULE.match(name)
        assert module, f"not a mutant's name: {name}"
        modules.setdefault(module["module"], Counter())[status] += 1
    return dict(sorted(modules.items()))


def table(title: str, statuses: dict[str, str]) -> str:
    header = "| module | mutants | killed | survived | timeout | raw score |"
    lines = [f"### {title}", "", header, "|---|---|---|---|---|---|"]
    for module, counts in [*per_module(statuses).items(), ("all", Counter(statuses.values()))]:
        total = sum(counts.values())
        killed, survived, timeout = counts["killed"], counts["survived"], counts["timeout"]
        lines.append(f"| `{module}` | {total} | {killed} | {survived} | {timeout} | {killed / total:.0%} |")
    return "\n".join(lines)


def justified(strategy: str, database: str) -> dict[str, str]:
    """The survivors listed, with their reasons, for this combination."""
    listed = tomllib.loads(SURVIVORS.read_text()) if SURVIVORS.exists() else {}
    return {**listed.get("all", {}), **listed.get(f"{strategy}-{database}", {})}


DOCS_HEAD = "# Mutation testing\n\nEach section: `python scripts/mutation.py <strategy> <database> --write-docs`.\n"


def write_docs(section: str, body: str) -> None:
    """Replace (or add) this combination's section of docs/mutation.md."""
    text = DOCS.read_text() if DOCS.exists() else DOCS_HEAD
    head, *sections = re.split(r"(?m)^(?=### )", text)
    kept = [part.rstrip("\n") for part in sections if not part.startswith(f"### {section}\n")]
    DOCS.write_text(head.rstrip("\n") + "\n\n" + "\n\n".join(sorted([*kept, body.rstrip("\n")])) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("strategy", choices=STRATEGIES)
    parser.add_argument("database", choices=CHOICES["database"])
    parser.add_argument("--project", type=Path, help="a project already baked with these answers (and installed)")
    # One at a time: the mutants' test runs would share the one test database.
    parser.add_argument("--children", type=int, default=1, help="mutants tested at once (1)")
    parser.add_argument("--write-docs", action="store_true", help="rewrite this combination's part of docs/mutation.md")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch, scratch_databases(Path(scratch)) as new_database:
        if options.project:
            baked = Baked(options.strategy, options.database, options.project.resolve())
        else:
            # In a folder named as the package, as cookiecutter makes it (Baked.package reads the folder's name).
            baked = rendered_project(Path(scratch) / PACKAGE, options.strategy, options.database)
            baked.install()
        configure(baked)
        env = {**PYTHON_DEFAULTS, **baked.test_urls(new_database(options.database), None)}
        statuses = run_mutmut(baked, env, options.children)
    section = f"{options.strategy} on {options.database}"
    body = table(section, statuses) + f"\n\nMeasured by `python scripts/mutation.py {' '.join(argv)}` on {machine()}."
    print(body)
    if options.write_docs:
        write_docs(section, body)
    listed = justified(options.strategy, options.database)
    survivors = {name for name, status in statuses.items() if status == "survived"}
    unexplained = sorted(survivors - listed.keys())
    stale = sorted(listed.keys() - survivors)
    for name in unexplained:
        print(f"survived, no test pins it: {name} (mutmut show {name})")
    for name in stale:
        print(f"listed in {SURVIVORS.name} but no longer survives: {name}")
    return 1 if unexplained or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
