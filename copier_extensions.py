"""What copier needs to render this cookiecutter template: its context, loader and filters.

copier.yml loads this file through copier-template-extensions (``_jinja_extensions``). The
project tree is cookiecutter's (``{{cookiecutter.project_slug}}/``, ``cookiecutter.*`` names,
``{% import "choices.j2" %}`` from ``templates/``), so copier gets the same three things
cookiecutter has:

* ``cookiecutter``: the answers under that name, as cookiecutter's context has them;
* the ``templates/`` folder on the loader, as cookiecutter 2 puts it beside the project tree;
* the filters: the template's own (local_extensions.py), ``slugify`` as cookiecutter's (python-slugify),
  and the validators copier.yml's questions call, from the checks of hooks/pre_gen_project.py.
"""

from __future__ import annotations

import json
import sys
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType
from typing import Any

from copier_template_extensions import ContextHook
from jinja2 import ChoiceLoader, Environment, FileSystemLoader

# Without it copier stops before asking anything: "could not load some Jinja extensions: No module
# named 'slugify'. Make sure to install these extensions alongside Copier itself."
from slugify import slugify as python_slugify

TEMPLATE = Path(__file__).resolve().parent


def load(path: Path, name: str) -> ModuleType:
    """This template's own module, not one of the same name imported earlier.

    ``copier update`` renders two versions of the template in one process, and copier-template-extensions
    runs this file anew for each: what it loads must come from beside it, not from ``sys.modules``.
    """
    spec = spec_from_file_location(name, path)
    assert spec and spec.loader
    module = module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# pre_gen_project imports lockfiles, by name, when it checks a slug.
load(TEMPLATE / "hooks" / "lockfiles.py", "lockfiles")
checks = load(TEMPLATE / "hooks" / "pre_gen_project.py", "pre_gen_project")
filters = load(TEMPLATE / "local_extensions.py", "local_extensions")

# The answers, in cookiecutter.json's order: what ``cookiecutter.<key>`` names in the templates.
QUESTIONS = [key for key in json.loads((TEMPLATE / "cookiecutter.json").read_text()) if not key.startswith("_")]


def slugify(text: str, **options: Any) -> str:
    """cookiecutter's ``slugify`` filter: python-slugify, which cookiecutter itself uses."""
    return str(python_slugify(text, **options))


class CookiecutterTemplate(ContextHook):
    """The answers as ``cookiecutter``, the ``templates/`` folder and the template's filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.loader = ChoiceLoader(
            [loader for loader in [environment.loader] if loader] + [FileSystemLoader(str(TEMPLATE / "templates"))]
        )
        environment.filters.update(
            quoted=filters.quoted,
            slugify=slugify,
            # Validators: an empty string when the answer is fine, else the one-line reason.
            project_name_error=lambda name: checks.project_name_error(name) or "",
            project_slug_error=lambda slug: checks.project_slug_error(slug) or "",
        )

    def hook(self, context: dict[str, Any]) -> None:
        context["cookiecutter"] = {key: context[key] for key in QUESTIONS if key in context}
