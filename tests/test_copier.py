"""copier renders this template from the same source as cookiecutter: same questions, same output.

copier.yml is made from cookiecutter.json (scripts/copier_config.py), copier_extensions.py gives
copier cookiecutter's context, loader and filters, and hooks/copier_task.py does the post-gen
hook's work. Every strategy x database x cache renders file for file as under cookiecutter (the
answers file and .env's fresh key aside), bad answers are refused with the hooks' one-line
reasons, and nothing is left behind.
"""

from __future__ import annotations

import itertools
import stat
from pathlib import Path

import copier
import pytest
import yaml

from .baking import CACHES, CHOICES, DATABASES, STRATEGIES, TEMPLATE, Cookies, bake, load_module
from .updating import copy_of_template

copier_config = load_module(TEMPLATE / "scripts" / "copier_config.py")
regenerate_samples = load_module(TEMPLATE / "scripts" / "regenerate_samples.py")

ANSWERS_FILE = ".copier-answers.yml"
EVERY_CHOICE = list(itertools.product(STRATEGIES, DATABASES, CACHES))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is on disk, outside git: copier renders a plain folder as it is."""
    return copy_of_template(tmp_path_factory.mktemp("template") / "template")


def copy(template: Path, destination: Path, **data: str) -> Path:
    """``copier copy --trust --defaults --data key=value ...``, through copier's API."""
    copier.run_copy(str(template), destination, data=data, defaults=True, unsafe=True, quiet=True)
    return destination


def files(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root``: its bytes and its permission bits."""
    return {
        str(path.relative_to(root)): (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def without_key(env_file: tuple[bytes, int]) -> tuple[list[str], int]:
    """.env with its API key's value blanked: every render gets a fresh one."""
    text, mode = env_file
    return [line.split("=", 1)[0] if line.startswith("API_KEY=") else line for line in text.decode().splitlines()], mode


def test_copier_yml_is_made_from_cookiecutter_json() -> None:
    assert (TEMPLATE / "copier.yml").read_text() == copier_config.render(), (
        "copier.yml is out of date: run python scripts/copier_config.py"
    )
    questions = {key: value for key, value in yaml.safe_load(copier_config.render()).items() if not key.startswith("_")}
    assert list(questions) == [key for key in CHOICES if not key.startswith("_")]
    for key, choices in regenerate_samples.choices().items():
        assert list(questions[key]["choices"].values()) == choices
        assert questions[key]["default"] == choices[0]


@pytest.mark.parametrize(("strategy", "database", "cache"), EVERY_CHOICE, ids=["-".join(c) for c in EVERY_CHOICE])
def test_copier_renders_what_cookiecutter_renders(
    template: Path, tmp_path: Path, cookies: Cookies, strategy: str, database: str, cache: str
) -> None:
    baked = bake(cookies, strategy, database, cache=cache)
    copied = copy(template, tmp_path / baked.package, test_strategy=strategy, database=database, cache=cache)

    expected, actual = files(baked.path), files(copied)
    answers = yaml.safe_load(actual.pop(ANSWERS_FILE)[0])
    assert without_key(actual.pop(".env")) == without_key(expected.pop(".env"))
    assert actual.keys() == expected.keys()
    assert [name for name in actual if actual[name] != expected[name]] == []
    assert {key: answers[key] for key in ("test_strategy", "database", "cache")} == {
        "test_strategy": strategy,
        "database": database,
        "cache": cache,
    }


def test_the_default_copy_is_the_default_sample(template: Path, tmp_path: Path) -> None:
    """``copier copy --trust --defaults`` renders samples/<the defaults> exactly, the answers file aside."""
    copied = files(copy(template, tmp_path / "task_service"))
    copied.pop(ANSWERS_FILE)
    copied.pop(".env")
    assert copied == files(TEMPLATE / "samples" / f"{STRATEGIES[0]}-{DATABASES[0]}")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"project_slug": "class"}, "project_slug 'class' is a Python keyword: pick another name"),
        ({"project_slug": "fastapi"}, "project_slug 'fastapi' shadows a package a generated project depends on"),
        ({"project_name": "3D Printer Farm"}, "project_slug '3d_printer_farm' is not a valid package name"),
        ({"project_name": " "}, "project_name is empty"),
        ({"database": "oracle"}, "'oracle' is not in ['postgresql', 'sqlite', 'mariadb']"),
    ],
)
def test_a_bad_answer_is_refused_with_the_hooks_reason_and_nothing_is_made(
    template: Path, tmp_path: Path, data: dict[str, str], reason: str
) -> None:
    with pytest.raises(ValueError) as refused:
        copy(template, tmp_path / "service", **data)
    assert reason in str(refused.value) and "\n" not in str(refused.value)
    assert not (tmp_path / "service").exists()


def test_the_task_can_run_again_on_its_own_render(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """copier runs the task in ``copier update``'s renders too: a second run changes nothing."""
    project = copy(template, tmp_path / "service", test_strategy="self_healing_seed", cache="redis")
    before = files(project)
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text())
    context = {key: value for key, value in answers.items() if not key.startswith("_")}
    copier_task = load_module(template / "hooks" / "copier_task.py", "copier_task_again")
    monkeypatch.chdir(project)
    copier_task.finish(project, {**context, "_repo_dir": str(template)})
    assert files(project) == before
