"""README "Adding a strategy": one new folder plus one line in cookiecutter.json is all it takes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .baking import STRATEGIES, TEMPLATE, Baked


def test_a_copied_strategy_folder_and_one_line_make_a_working_fifth_strategy(
    tmp_path: Path, new_database: Callable[[str], str]
) -> None:
    template = tmp_path / "template"
    shutil.copytree(
        TEMPLATE,
        template,
        ignore=shutil.ignore_patterns(".git", ".venv", "samples", "__pycache__"),
    )
    shutil.copytree(
        template / "templates" / "strategies" / STRATEGIES[-1],
        template / "templates" / "strategies" / "fifth",
    )
    context = json.loads((template / "cookiecutter.json").read_text())
    context["test_strategy"].append("fifth")
    (template / "cookiecutter.json").write_text(json.dumps(context, indent=2))

    result = subprocess.run(
        [
            Path(sys.executable).parent / "cookiecutter",
            "--no-input",
            str(template),
            "-o",
            str(tmp_path / "out"),
            "test_strategy=fifth",
            "database=sqlite",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr

    baked = Baked("fifth", "sqlite", tmp_path / "out" / "task_service")
    suite = baked.pytest(database_url=new_database("sqlite"))
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", suite.stdout)
