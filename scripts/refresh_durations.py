"""Refresh the `.test_durations` every generated project starts with.

    python scripts/refresh_durations.py

pytest-split balances the generated CI's test shards by these per-test durations. The
script bakes the default project, runs its suite once with `--store-durations` on a new
database (made as the template's tests make theirs: templates/databases/<name>/testing.py), and
writes the result into the template. Projects refresh their own copy with
`pytest --store-durations`.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from regenerate_samples import rendered_project

from tests.baking import COMBINATIONS, TEMPLATE, scratch_databases

DURATIONS = TEMPLATE / "{{cookiecutter.project_slug}}" / ".test_durations"


def main() -> None:
    strategy, database = COMBINATIONS[0]
    with tempfile.TemporaryDirectory() as scratch:
        project = rendered_project(Path(scratch) / "project", strategy, database)
        # pytest-split adds to the file it finds: start without one, so removed tests drop out.
        (project.path / ".test_durations").unlink()
        with scratch_databases(Path(scratch)) as new_database:
            url = new_database(database)
            result = project.pytest("-q", "-p", "no:randomly", "--store-durations", database_url=url)
        if result.returncode != 0:
            raise SystemExit(f"the suite failed:\n{result.stdout[-3000:]}{result.stderr}")
        durations = json.loads((project.path / ".test_durations").read_text())
    rounded = {test: round(seconds, 4) for test, seconds in sorted(durations.items())}
    DURATIONS.write_text(json.dumps(rounded, indent=2) + "\n")
    print(f"wrote {len(rounded)} durations to {DURATIONS.relative_to(TEMPLATE)}")


if __name__ == "__main__":
    main()
