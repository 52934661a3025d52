from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    """What the migrations and the seeder need: only where the database is."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Any form people paste works; core.db picks the driver.
    database_url: str


class Settings(DatabaseSettings):
    """Everything the running service reads from the environment or ``.env``."""

    api_key: SecretStr
    sql_echo: bool = False
