"""Delete and re-render every sample from its own answers file.

    python scripts/regenerate_samples.py          # rewrite samples/
    python scripts/regenerate_samples.py --init   # (re)create one sample per strategy x database

Deleting first means a file removed from the template disappears from the samples too.
Samples never contain the per-project secret: the .env a bake writes is dropped.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
SAMPLES = TEMPLATE / "samples"
STRATEGIES = ["rollback_isolation", "pragmatic", "sync_testclient", "self_healing_seed"]
DATABASES = ["postgresql", "sqlite"]
ANSWERS = ".cookiecutter.json"


def render(answers: dict[str, str], destination: Path) -> None:
    """Render the template with ``answers`` into ``destination`` (which must not exist)."""
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=scratch))
        (project / ".env").unlink()
        shutil.move(project, destination)


def regenerate(sample: Path) -> None:
    answers = json.loads((sample / ANSWERS).read_text(encoding="utf-8"))
    shutil.rmtree(sample)
    render(answers, sample)


def main(argv: list[str]) -> None:
    if "--init" in argv:
        shutil.rmtree(SAMPLES, ignore_errors=True)
        SAMPLES.mkdir()
        for strategy in STRATEGIES:
            for database in DATABASES:
                render({"test_strategy": strategy, "database": database}, SAMPLES / f"{strategy}-{database}")
    for sample in sorted(path for path in SAMPLES.iterdir() if (path / ANSWERS).is_file()):
        regenerate(sample)
        print(f"regenerated {sample.relative_to(TEMPLATE)}")


if __name__ == "__main__":
    main(sys.argv[1:])
