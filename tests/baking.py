"""Baking projects for the template's tests: the choices, a baked project, and running its tools.

Every list of choices comes from ``cookiecutter.json``; what a strategy is like (async or
sync tests, ...) comes from its own ``templates/strategies/<name>/strategy.j2``, and what the
tests need to know about a database (its server, scratch databases on it) from its own
``templates/databases/<name>/testing.py`` (``database_support``). A baked project
runs in its own environment, installed from its own ``uv.lock`` (``uv sync --locked``, as its
README does), so what the tests verify is what the project's users install.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import pytest
from jinja2 import Environment, FileSystemLoader
from pytest_cookies.plugin import Cookies
from sqlalchemy.engine import make_url

from scripts.regenerate_samples import redis_diagonal

TEMPLATE = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHOICES: dict[str, Any] = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
STRATEGIES: list[str] = CHOICES["test_strategy"]
DATABASES: list[str] = CHOICES["database"]
COMBINATIONS = [(strategy, database) for strategy in STRATEGIES for database in DATABASES]
COMBINATION_IDS = [f"{strategy}-{database}" for strategy, database in COMBINATIONS]
# A diagonal of the strategy x database table: every strategy and every database at least once.
# The generated suites of these (and their strategies' own tests) run in the default command;
# the others' under -m combinations.
DIAGONAL = [
    (STRATEGIES[index % len(STRATEGIES)], DATABASES[index % len(DATABASES)])
    for index in range(max(len(STRATEGIES), len(DATABASES)))
]


# With Redis (`cache=redis`): every strategy x database under -m combinations, one of them in the
# default command; the samples have the Redis variant of each pair of REDIS_DIAGONAL.
CACHES: list[str] = CHOICES["cache"]
REDIS_DIAGONAL = redis_diagonal()
# The one in the default command: sync_testclient on SQLite, whose ids come back after every test's
# cleanup, and whose app has its own Redis client in the TestClient's event loop.
REDIS_DEFAULT = REDIS_DIAGONAL[2]


def bake_id(strategy: str, database: str, cache: str = "none") -> str:
    """A bake's name in test ids and samples/: ``<strategy>-<database>``, with ``-redis`` for the cache."""
    return f"{strategy}-{database}" + ("-redis" if cache == "redis" else "")


# Every strategy x database, and with Redis the pairs of its diagonal (each strategy and database
# once): the bakes the static checks and the version matrix run on.
BAKES = [(*combination, "none") for combination in COMBINATIONS] + [(*pair, "redis") for pair in REDIS_DIAGONAL]
BAKE_IDS = [bake_id(*choices) for choices in BAKES]


def diagonal_marks(strategy: str, database: str, cache: str = "none") -> list[pytest.MarkDecorator]:
    """No marks on the diagonal (with Redis: on REDIS_DEFAULT); ``combinations`` off it (run with -m combinations)."""
    on_diagonal = (strategy, database) == REDIS_DEFAULT if cache == "redis" else (strategy, database) in DIAGONAL
    return [] if on_diagonal else [pytest.mark.combinations]


def databases_for(strategy: str) -> list[Any]:
    """``DATABASES`` as parameters of a test that bakes ``strategy``: off the diagonal, under -m combinations."""
    return [pytest.param(database, marks=diagonal_marks(strategy, database)) for database in DATABASES]


# Baked projects run as on a developer's machine, with Python's bytecode cache. Where
# PYTHONDONTWRITEBYTECODE is set (this machine, many CI images), every pytest start
# rewrites the asserts of all the plugins' modules again: about a second each time. The
# template's own venv stays out of their way, and uv never downloads a Python.
PYTHON_DEFAULTS = {
    **{name: value for name, value in os.environ.items() if name not in {"PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV"}},
    "UV_PYTHON_DOWNLOADS": "never",
}
UV = str(BIN / "uv")
# The Pythons the generated projects support: one per `python_version` choice.
PYTHONS: list[str] = sorted(CHOICES["python_version"], key=lambda version: tuple(map(int, version.split("."))))


def python_interpreter(version: str) -> str:
    """An installed CPython ``version``: what uv finds, else pyenv's (whose shims hide inactive versions)."""
    found = subprocess.run([UV, "python", "find", version], capture_output=True, text=True, env=PYTHON_DEFAULTS)
    if found.returncode == 0:
        return found.stdout.strip()
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    for candidate in sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}"), reverse=True):
        return candidate
    raise LookupError(f"no Python {version} here: install it (uv python install {version}, or pyenv) to test on it")


def load_module(path: Path, name: str | None = None) -> ModuleType:
    """The Python file at ``path`` as a module (hooks, scripts and database folders are no packages)."""
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    assert spec and spec.loader, f"{path} is missing"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def database_support(database: str) -> ModuleType:
    """``templates/databases/<database>/testing.py``: its server (or none), scratch databases, leftovers.

    Each provides ``SYNC_DRIVER``, ``server()`` (an admin URL, or None for a file database),
    ``unreachable()`` (why the server cannot be used, or None), ``create(directory)`` (the URL of a
    new, empty database), ``drop(url)`` and ``leftovers(url)`` (per-worker copies still there).
    """
    return load_module(TEMPLATE / "templates" / "databases" / database / "testing.py", f"{database}_testing")


# The databases with a server (the template's tests make scratch databases on it), and without.
SERVER_DATABASES = [name for name in DATABASES if database_support(name).server() is not None]
FILE_DATABASES = [name for name in DATABASES if name not in SERVER_DATABASES]


@contextmanager
def scratch_databases(directory: Path) -> Iterator[Callable[[str], str]]:
    """``make(database)`` gives the URL of a new, empty database of that choice; all are dropped on exit."""
    created: list[tuple[str, str]] = []

    def make(database: str) -> str:
        url: str = database_support(database).create(directory)
        created.append((database, url))
        return url

    try:
        yield make
    finally:
        for database, url in created:
            database_support(database).drop(url)


def strategy_settings(strategy: str) -> Any:
    """The variables a strategy declares in its ``strategy.j2`` (``.sync``, ``.markers``, ...)."""
    env = Environment(loader=FileSystemLoader(TEMPLATE / "templates"), autoescape=False)
    return env.get_template(f"strategies/{strategy}/strategy.j2").make_module({"cookiecutter": {"project_slug": "pkg"}})


# The Redis server the template's tests give baked projects, and the database indexes they take on
# it: from FIRST_REDIS_INDEX, REDIS_INDEXES_PER_WORKER for each xdist worker of the template's run
# (a baked suite runs serially on the first, on -n 2 on both). The indexes below stay free for
# what the generated READMEs name (the app's 0, the tests' 1).
REDIS_SERVER = os.environ.get("TEMPLATE_REDIS_URL", "redis://127.0.0.1:6379")
FIRST_REDIS_INDEX = 8
REDIS_INDEXES_PER_WORKER = 2
# scripts/benchmark.py's two: the server's last of 16, past the template's run on up to 3 workers.
BENCHMARK_REDIS_INDEX = 14


def redis_indexes(worker_id: str) -> list[int]:
    """The Redis database indexes this xdist worker of the template's run (or a serial run) may use."""
    number = 0 if worker_id == "master" else int(worker_id.removeprefix("gw"))
    first = FIRST_REDIS_INDEX + number * REDIS_INDEXES_PER_WORKER
    return list(range(first, first + REDIS_INDEXES_PER_WORKER))


def redis_keys(index: int) -> int:
    """How many keys a database index of REDIS_SERVER holds."""
    from redis import Redis

    with Redis.from_url(f"{REDIS_SERVER}/{index}") as client:
        return int(client.dbsize())


# Seconds one test of a baked suite may run before its threads' stacks are printed: past any test's
# time on a loaded machine, well before the run's own timeout.
SLOW_TEST = 120


def _text(printed: str | bytes | None) -> str:
    return printed.decode(errors="replace") if isinstance(printed, bytes) else printed or ""


@dataclass
class Baked:
    strategy: str
    database: str
    path: Path
    cache: str = "none"
    _installed: bool = field(default=False, init=False, repr=False)

    @property
    def package(self) -> str:
        return self.path.name

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: int = 300
    ) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                args,
                cwd=self.path,
                env={**PYTHON_DEFAULTS, **(env or {})},
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            # What it printed says where it stood (a suite's hung test: its threads' stacks, below).
            printed = "".join(_text(part)[-6000:] for part in (exc.stdout, exc.stderr))
            pytest.fail(f"{' '.join(args)} still ran after {timeout} s; it printed:\n{printed}", pytrace=False)

    def install(self, python: str | None = None) -> None:
        """The project's environment from its own lock, as its README installs it: ``uv sync --locked``.

        ``python`` (a version or an interpreter) picks the interpreter; by default uv picks one, as for a user.
        """
        self._check(self.run(UV, "sync", "--locked", *(["--python", python] if python else [])), "uv sync --locked")

    def install_lowest(self, python: str) -> None:
        """The project's environment with every direct requirement at its declared floor (the pip path, ``[test]``)."""
        self._check(self.run(UV, "venv", "--quiet", "--clear", "--python", python), "uv venv")
        lowest = (UV, "pip", "install", "--quiet", "--resolution", "lowest-direct", "-e", ".[test]")
        self._check(self.run(*lowest), "uv pip install --resolution lowest-direct")

    def install_with_pip(self, python: str) -> None:
        """The project's environment without uv, as its README offers: a venv and ``pip install -e ".[test]"``."""
        self._check(self.run(python, "-m", "venv", ".venv"), "python -m venv")
        pip = (str(self.path / ".venv" / "bin" / "pip"), "install", "--quiet", "-e", ".[test]")
        self._check(self.run(*pip, timeout=900), "pip install")

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        assert result.returncode == 0, f"{what} failed in {self.path}:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        self._installed = True

    def tool(self, name: str) -> str:
        """A command of the project's environment (``python``, ``ruff``, ``mypy``, ...), installed on first use."""
        if not self._installed:
            self.install()
        return str(self.path / ".venv" / "bin" / name)

    def pytest_command(self, *args: str) -> list[str]:
        # A test still running after SLOW_TEST seconds prints every thread's stack (and goes on).
        faulthandler = ("-o", f"faulthandler_timeout={SLOW_TEST}")
        return [self.tool("python"), "-m", "pytest", "-p", "no:cacheprovider", *faulthandler, *args]

    def pytest(
        self, *args: str, database_url: str, redis_url: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The generated suite, as its README runs it, in the project's own environment."""
        return self.run(*self.pytest_command(*args), env={**self.test_urls(database_url, redis_url), **(env or {})})

    def test_urls(self, database_url: str, redis_url: str | None) -> dict[str, str]:
        """``TEST_DATABASE_URL``, and with Redis ``TEST_REDIS_URL`` (which a project with Redis must be given)."""
        if self.cache == "redis":
            assert redis_url, "a project with Redis is tested on the indexes the template's test was given"
            return {"TEST_DATABASE_URL": database_url, "TEST_REDIS_URL": redis_url}
        return {"TEST_DATABASE_URL": database_url}

    def start_pytest(
        self, *args: str, database_url: str, output: IO[str], redis_url: str | None = None
    ) -> subprocess.Popen[str]:
        """``pytest`` started and left running, its output going to ``output`` (the benchmark watches it)."""
        return subprocess.Popen(
            self.pytest_command(*args),
            cwd=self.path,
            env={**PYTHON_DEFAULTS, **self.test_urls(database_url, redis_url)},
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )


def bake(cookies: Cookies, strategy: str, database: str, *, template: Path = TEMPLATE, **answers: str) -> Baked:
    """Render ``template`` as ``cookiecutter --no-input`` would, with these answers, through pytest-cookies."""
    context = {"test_strategy": strategy, "database": database, **answers}
    result = cookies.bake(extra_context=context, template=str(template))
    assert result.exit_code == 0 and result.exception is None, f"the bake failed: {result.exception!r}"
    assert result.project_path is not None
    return Baked(strategy, database, result.project_path, answers.get("cache", "none"))


def row_count(database: str, database_url: str, table: str) -> int:
    """How many rows ``table`` holds in the baked project's test database."""
    from sqlalchemy import create_engine, func, select
    from sqlalchemy import table as table_clause

    engine = create_engine(make_url(database_url).set(drivername=database_support(database).SYNC_DRIVER))
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table_clause(table))) or 0)
    finally:
        engine.dispose()


def leftover_databases(database: str, database_url: str) -> list[str]:
    """The per-worker copies (``<name>_gw*``) of the test database that still exist."""
    leftovers: list[str] = database_support(database).leftovers(database_url)
    return leftovers


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
        return port
