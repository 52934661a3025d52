{%- import "choices.j2" as c with context -%}
{%- if c.redis -%}
from pydantic import PositiveFloat, PositiveInt, RedisDsn, SecretStr
{%- else -%}
from pydantic import PositiveFloat, SecretStr
{%- endif %}
from pydantic_settings import BaseSettings, SettingsConfigDict

{% if c.redis -%}
from {{ cookiecutter.project_slug }}.core.cache import DEFAULT_TIMEOUT, DEFAULT_TTL
{% endif -%}
from {{ cookiecutter.project_slug }}.core.db import DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT


class DatabaseSettings(BaseSettings):
    """What the migrations and the seeder need: only where the database is."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Any form people paste works; core.db picks the driver.
    database_url: str


class Settings(DatabaseSettings):
    """Everything the running service reads from the environment or ``.env``."""

    api_key: SecretStr
    sql_echo: bool = False
    # Seconds; together they bound how long a request waits for a database that is down or hangs.
    database_connect_timeout: PositiveFloat = DEFAULT_CONNECT_TIMEOUT
    database_statement_timeout: PositiveFloat = DEFAULT_STATEMENT_TIMEOUT
{%- if c.redis %}
    # The cache (redis://host:6379/N). The service runs without it: see core.cache.
    redis_url: RedisDsn
    # Seconds a cached project is served before the database is asked again.
    cache_ttl: PositiveInt = DEFAULT_TTL
    # Seconds to wait for Redis to connect, and for each answer, before serving from the database.
    redis_timeout: PositiveFloat = DEFAULT_TIMEOUT
{%- endif %}
