"""Delete and re-render every sample from its own answers file.

    python scripts/regenerate_samples.py          # rewrite samples/
    python scripts/regenerate_samples.py --init   # (re)create one sample per strategy x database
    python scripts/regenerate_samples.py --matrix # samples, pythons and test-database-urls for CI ($GITHUB_OUTPUT)

Deleting first means a file removed from the template disappears from the samples too.
Samples never contain the per-project secret: the .env a bake writes is dropped. Each
sample's uv.lock comes from templates/locks/ (``scripts/lock_projects.py`` writes those, then
runs this).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.baking import Baked

TEMPLATE = Path(__file__).resolve().parents[1]
SAMPLES = TEMPLATE / "samples"
ANSWERS = ".cookiecutter.json"


def choices() -> dict[str, list[str]]:
    """The choice lists of ``cookiecutter.json``, the one place they are written down."""
    context = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    return {key: context[key] for key in ("test_strategy", "database", "cache", "python_version")}


def redis_diagonal() -> list[tuple[str, str]]:
    """Strategy x database pairs that cover every strategy and every database at least once, shifted
    off the default diagonal (tests/baking.py): the Redis samples, and the Redis bakes the default
    test command runs."""
    options = choices()
    strategies, databases = options["test_strategy"], options["database"]
    return [
        (strategies[index % len(strategies)], databases[(index + 2) % len(databases)])
        for index in range(max(len(strategies), len(databases)))
    ]


def sample_answers() -> dict[str, dict[str, str]]:
    """Each sample's name and answers: every strategy x database without a cache, and with Redis
    on ``redis_diagonal()`` (named ``<strategy>-<database>-redis``)."""
    options = choices()
    samples = {
        f"{strategy}-{database}": {"test_strategy": strategy, "database": database}
        for strategy in options["test_strategy"]
        for database in options["database"]
    }
    for strategy, database in redis_diagonal():
        samples[f"{strategy}-{database}-redis"] = {"test_strategy": strategy, "database": database, "cache": "redis"}
    return samples


def pythons() -> list[str]:
    """Every Python the generated projects support, oldest first."""
    return sorted(choices()["python_version"], key=lambda version: tuple(map(int, version.split("."))))


def sample_names() -> list[str]:
    return list(sample_answers())


def test_database_urls() -> dict[str, str]:
    """Each sample's TEST_DATABASE_URL in its own CI (a service container), or "" (a file database)."""
    urls = {}
    for name in sample_names():
        workflow = (SAMPLES / name / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
        found = re.search(r"^\s+TEST_DATABASE_URL: (\S+)$", workflow, re.MULTILINE)
        urls[name] = found.group(1) if found else ""
    return urls


def render(answers: dict[str, str], destination: Path, template: Path = TEMPLATE) -> None:
    """Render ``template`` (this one) with ``answers`` into ``destination`` (which must not exist)."""
    from cookiecutter.main import cookiecutter  # only here: `--matrix` runs before anything is installed

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(cookiecutter(str(template), no_input=True, extra_context=answers, output_dir=scratch))
        (project / ".env").unlink()
        shutil.move(project, destination)


def rendered_project(
    destination: Path, strategy: str, database: str, cache: str = "none", template: Path = TEMPLATE
) -> Baked:
    """A project of these choices, as ``cookiecutter --no-input`` renders ``template``, at ``destination``."""
    from tests.baking import Baked

    render({"test_strategy": strategy, "database": database, "cache": cache}, destination, template)
    return Baked(strategy, database, destination, cache)


def regenerate(sample: Path) -> None:
    """Render the sample afresh, then put it in place of the old one (kept if the render fails)."""
    answers = json.loads((sample / ANSWERS).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / sample.name
        render(answers, fresh)
        shutil.rmtree(sample)
        shutil.move(fresh, sample)


def main(argv: list[str]) -> None:
    if "--matrix" in argv:
        print(f"samples={json.dumps(sample_names())}")
        print(f"pythons={json.dumps(pythons())}")
        print(f"test-database-urls={json.dumps(test_database_urls())}")
        return
    if "--init" in argv:
        shutil.rmtree(SAMPLES, ignore_errors=True)
        SAMPLES.mkdir()
        for name, answers in sample_answers().items():
            render(answers, SAMPLES / name)
    samples = sorted(path for path in SAMPLES.iterdir() if (path / ANSWERS).is_file())
    for sample in samples:
        regenerate(sample)
        print(f"regenerated {sample.relative_to(TEMPLATE)}")


if __name__ == "__main__":
    main(sys.argv[1:])
