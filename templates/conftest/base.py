{%- set postgres = cookiecutter.database == "postgresql" -%}
{%- block docstring %}{% endblock %}
{% block imports %}{% endblock %}
API_KEY = "test-api-key"
{%- if postgres %}
# The `db-test` service of docker-compose.yml; override with TEST_DATABASE_URL.
DEFAULT_TEST_DATABASE_URL = "postgresql://postgres:postgres@127.0.0.1:5433/test"
{%- endif %}
{%- block constants %}{% endblock %}


@pytest.fixture(scope="session")
{%- if postgres %}
def database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL
{%- elif cookiecutter.test_strategy == "sync_testclient" %}
def database_url() -> str:
    # A named in-memory database, shared by the app's aiosqlite connection and the tests' sqlite3 one.
    return os.environ.get("TEST_DATABASE_URL") or "sqlite:///file:tests?mode=memory&cache=shared&uri=true"
{%- else %}
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
{%- endif %}


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, api_key=SecretStr(API_KEY))


@pytest.fixture
def api_headers() -> dict[str, str]:
    return {"X-API-Key": API_KEY}


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Names no other test (or earlier run) uses, so tests never collide on shared data."""
    return lambda prefix: f"{prefix} {uuid4().hex[:12]}"
{% block engine %}

@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database_url)
    async with engine.begin() as connection:
        await connection.run_sync(run_migrations)
    yield engine
    await engine.dispose()
{% endblock %}
{%- block fixtures %}{% endblock %}
{%- block client %}


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client on the app, with its lifespan (start-up and shutdown) run."""
    async with (
        LifespanManager(app) as manager,
        AsyncClient(transport=ASGITransport(app=manager.app), base_url="http://test") as client,
    ):
        yield client
{%- endblock %}
