"""The template README: its figures come from scripts/benchmark.py, and it stands on its own; the
template's own code (hooks, scripts, tests) is as clean as the code it generates."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

from .baking import BIN, TEMPLATE

README = (TEMPLATE / "README.md").read_text(encoding="utf-8")


def test_the_speed_figures_are_the_benchmarks_output() -> None:
    region = README.split("<!-- benchmark:start -->")[1].split("<!-- benchmark:end -->")[0].strip()
    written = (TEMPLATE / "docs" / "benchmark.md").read_text(encoding="utf-8").strip()
    assert region == written, "run `python scripts/benchmark.py --write-docs` instead of editing the figures"
    assert "scripts/benchmark.py" in region and " ms" in region
    assert ET.parse(TEMPLATE / "docs" / "benchmark.svg").getroot().tag.endswith("svg")


def test_the_instruction_counts_are_the_scripts_output() -> None:
    region = README.split("<!-- instructions:start -->")[1].split("<!-- instructions:end -->")[0].strip()
    written = (TEMPLATE / "docs" / "instructions.md").read_text(encoding="utf-8").strip()
    assert region == written, "run `python scripts/instructions.py --write-docs` instead of editing the figures"
    assert "scripts/instructions.py" in region and "ratio to the full path" in region


def test_the_readme_points_at_nothing_outside_the_repository() -> None:
    relative_links = re.findall(r"\]\((?!https?://|#)([^)]+)\)", README)
    assert [link for link in relative_links if not (TEMPLATE / link).exists()] == []
    assert "../" not in README


def test_the_template_code_is_ruff_clean() -> None:
    for command in (("check",), ("format", "--check")):
        result = subprocess.run(
            [BIN / "ruff", *command, "--no-cache", "."], cwd=TEMPLATE, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
