"""Jinja extension that validates the answers while cookiecutter is prompting.

``cookiecutter.json`` renders ``__package`` through the ``valid_slug`` filter right
after the questions, so a bad name stops the run with one line before any
directory is created (an empty slug would otherwise surface as cookiecutter's
"directory already exists").
"""

from __future__ import annotations

import sys
from pathlib import Path

from cookiecutter.exceptions import FailedHookException
from jinja2 import Environment
from jinja2.ext import Extension

sys.path.insert(0, str(Path(__file__).parent / "hooks"))
from pre_gen_project import input_error  # noqa: E402


def valid_slug(slug: str, project_name: str) -> str:
    error = input_error(project_name, slug)
    if error:
        # cookiecutter's CLI prints this exception's message alone and exits 1.
        raise FailedHookException(f"ERROR: {error}")
    return slug


class InputValidation(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["valid_slug"] = valid_slug
