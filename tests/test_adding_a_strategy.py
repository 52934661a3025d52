"""README "Adding a strategy": one new folder plus one line in cookiecutter.json is all it takes."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .baking import DATABASES, STRATEGIES, TEMPLATE, Cookies, bake


# A fifth strategy is one more combination: with the others off the diagonal, under -m combinations.
@pytest.mark.combinations
def test_a_copied_strategy_folder_and_one_line_make_a_working_fifth_strategy(
    cookies: Cookies, tmp_path: Path, new_database: Callable[[str], str]
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

    database = DATABASES[-1]
    baked = bake(cookies, "fifth", database, template=template)
    suite = baked.pytest(database_url=new_database(database))
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", suite.stdout)
