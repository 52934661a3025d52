from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from task_service.api.body_limit import MAX_BODY_SIZE, DeclaredBodySizeLimit
from task_service.api.errors import add_error_handlers
from task_service.api.routes import TAGS, api_router, health
from task_service.core.config import Settings
from task_service.core.db import make_engine, make_sessionmaker, warn_if_unavailable


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> FastAPI:
    """Build the service.

    Settings are read and the engine is created at start-up, unless given: the tests
    pass their own and keep ownership of the engine.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = app_settings = settings or Settings()
        async with AsyncExitStack() as owned:
            if engine is not None:
                app.state.sessionmaker = make_sessionmaker(engine)
            else:
                own_engine = make_engine(
                    app_settings.database_url,
                    echo=app_settings.sql_echo,
                    connect_timeout=app_settings.database_connect_timeout,
                    statement_timeout=app_settings.database_statement_timeout,
                )
                owned.push_async_callback(own_engine.dispose)
                app.state.sessionmaker = make_sessionmaker(own_engine)
                await warn_if_unavailable(own_engine, app_settings.database_url)
            yield

    app = FastAPI(
        title="Task Service",
        description="An async FastAPI + SQLAlchemy service.",
        openapi_tags=TAGS,
        # Where the README serves it (uvicorn, docker compose); a deployment states its own.
        servers=[{"url": "http://127.0.0.1:8000", "description": "Local: uvicorn or docker compose"}],
        lifespan=lifespan,
    )
    app.add_middleware(DeclaredBodySizeLimit, max_size=MAX_BODY_SIZE)
    add_error_handlers(app)
    app.include_router(health.router)
    app.include_router(api_router)
    return app


app = create_app()
