from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, set to migrate on ``connection`` if given (see migrations/env.py)."""
    config = Config(ALEMBIC_INI)
    config.attributes["connection"] = connection
    config.attributes["configure_logger"] = False
    return config


def run_migrations(connection: Connection) -> None:
    """Build the schema the way production does: ``alembic upgrade head``."""
    command.upgrade(alembic_config(connection), "head")
