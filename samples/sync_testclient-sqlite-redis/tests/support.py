from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ParamSpec, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
# Whitespace a name may come wrapped in (str.strip() removes all of them), by test id.
SPACES = {"space": " ", "tab": "\t", "no-break-space": "\u00a0", "ideographic-space": "\u3000"}

P = ParamSpec("P")
T = TypeVar("T")


def alembic_config(connection: Connection | None = None, database_url: str | None = None) -> Config:
    """Alembic's configuration, set to migrate on ``connection`` or at ``database_url`` (see migrations/env.py)."""
    config = Config(ALEMBIC_INI)
    config.attributes["connection"] = connection
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def migrate(database_url: str) -> None:
    """Build the schema the way production does: ``alembic upgrade head``."""
    command.upgrade(alembic_config(database_url=database_url), "head")


def in_own_thread(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``function`` in a thread of its own, so its event loops never meet the test session's."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()
