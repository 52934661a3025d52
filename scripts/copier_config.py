"""Write copier.yml from cookiecutter.json: one list of questions, choices, labels and defaults.

    python scripts/copier_config.py           # rewrite copier.yml
    python scripts/copier_config.py --check   # exit 1 if copier.yml is not what cookiecutter.json gives

cookiecutter.json stays the source (its keys, order, defaults and ``__prompts__`` labels);
copier.yml adds what only copier needs: the project tree as its subdirectory, the Jinja
extension that gives it cookiecutter's context and filters (copier_extensions.py), the
post-copy task (hooks/copier_task.py) and the next steps. tests/test_copier.py checks the
two never drift.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[1]
COPIER_YML = TEMPLATE / "copier.yml"

HEADER = """\
# Made by scripts/copier_config.py from cookiecutter.json: edit that, then run the script.
# copier renders the same tree as cookiecutter ({{cookiecutter.project_slug}}/), with the same
# questions; `copier copy --trust` because of the extension and the task below.
"""

# What copier needs beside the questions, in the order copier's docs list them.
SETTINGS: dict[str, Any] = {
    "_min_copier_version": "9.19",
    "_subdirectory": "{% raw %}{{cookiecutter.project_slug}}{% endraw %}",
    # Every file of the tree is a template, as under cookiecutter.
    "_templates_suffix": "",
    "_envops": {"undefined": "jinja2.StrictUndefined", "keep_trailing_newline": True},
    "_jinja_extensions": [
        "copier_template_extensions.TemplateExtensionLoader",
        "copier_extensions.py:CookiecutterTemplate",
    ],
    "_answers_file": ".copier-answers.yml",
    # The chosen strategy's and cache's own files, the lock and .env: hooks/post_gen_project.py's work.
    "_tasks": [
        {
            "command": [
                "{{ _copier_python }}",
                "{{ _copier_conf.src_path }}/hooks/copier_task.py",
                "{{ cookiecutter | to_json }}",
            ]
        }
    ],
    "_message_after_copy": (
        "Created {{ _folder_name }}: {{ test_strategy }} tests on {{ database }}. Next:\n"
        "  cd {{ _folder_name }}\n"
        "  uv sync\n"
        '  {% import "choices.j2" as c with context %}{{ c.test_command }}\n'
    ),
}

# Each free-text answer is checked as the cookiecutter hooks check it, by the same function.
VALIDATORS = {
    "project_name": "{{ project_name | project_name_error }}",
    "project_slug": "{{ project_slug | project_slug_error }}",
}


def copier_default(value: str) -> str:
    """A cookiecutter default (``{{ cookiecutter.project_name|slugify }}``) in copier's terms."""
    return re.sub(r"\bcookiecutter\.", "", value)


def questions(context: dict[str, Any]) -> dict[str, Any]:
    prompts = context["__prompts__"]
    result: dict[str, Any] = {}
    for key, value in context.items():
        if key.startswith("_"):
            continue
        if isinstance(value, list):
            labels = prompts[key]
            question = {
                "type": "str",
                "help": labels["__prompt__"],
                "choices": {labels[choice]: choice for choice in value},
                "default": value[0],
            }
        else:
            question = {"type": "str", "help": prompts[key], "default": copier_default(value)}
        if key in VALIDATORS:
            question["validator"] = VALIDATORS[key]
        result[key] = question
    return result


def render() -> str:
    context = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    body = yaml.safe_dump({**SETTINGS, **questions(context)}, sort_keys=False, allow_unicode=True, width=1000)
    return HEADER + body


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if COPIER_YML.read_text(encoding="utf-8") != text:
            print("copier.yml is out of date: run python scripts/copier_config.py", file=sys.stderr)
            return 1
        return 0
    COPIER_YML.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
