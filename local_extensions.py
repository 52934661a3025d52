"""Jinja filters for the template, under cookiecutter (``_extensions``) and copier (copier_extensions.py).

``valid_slug``: ``cookiecutter.json`` renders ``__package`` through it right after
the questions, so a bad name stops the run with one line before any directory is
created (an empty slug would otherwise surface as cookiecutter's "directory already
exists"). copier asks its questions with validators instead (``copier.yml``).

``quoted``: free text as a double-quoted literal that is valid in Python and TOML.

Nothing here imports cookiecutter at module level: copier's post-copy task renders the
strategy's files with these filters in copier's own Python, where cookiecutter is not installed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

sys.path.insert(0, str(Path(__file__).parent / "hooks"))
from pre_gen_project import input_error


def valid_slug(slug: str, project_name: str) -> str:
    error = input_error(project_name, slug)
    if error:
        from cookiecutter.exceptions import FailedHookException

        # cookiecutter's CLI prints this exception's message alone and exits 1.
        raise FailedHookException(f"ERROR: {error}")
    return slug


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


class TemplateFilters(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["valid_slug"] = valid_slug
        environment.filters["quoted"] = quoted
        # The directory cookiecutter is rendering from: the template's own while it renders a hook.
        environment.globals["rendering_dir"] = os.getcwd
