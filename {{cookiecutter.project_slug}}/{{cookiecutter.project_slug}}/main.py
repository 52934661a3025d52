from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.project_slug }}.api.body_limit import MAX_BODY_SIZE, DeclaredBodySizeLimit
from {{ cookiecutter.project_slug }}.api.errors import add_error_handlers
from {{ cookiecutter.project_slug }}.api.routes import api_router, health
from {{ cookiecutter.project_slug }}.core.config import Settings
from {{ cookiecutter.project_slug }}.core.db import make_engine, make_sessionmaker, warn_if_unavailable


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> FastAPI:
    """Build the service.

    Settings are read and the engine is created at start-up, unless given: the tests
    pass their own and keep ownership of the engine.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = app_settings = settings or Settings()
        if engine is not None:
            app.state.sessionmaker = make_sessionmaker(engine)
            yield
            return
        own_engine = make_engine(
            app_settings.database_url,
            echo=app_settings.sql_echo,
            connect_timeout=app_settings.database_connect_timeout,
            statement_timeout=app_settings.database_statement_timeout,
        )
        app.state.sessionmaker = make_sessionmaker(own_engine)
        await warn_if_unavailable(own_engine, app_settings.database_url)
        try:
            yield
        finally:
            await own_engine.dispose()

    app = FastAPI(title={{ cookiecutter.project_name | quoted }}, lifespan=lifespan)
    app.add_middleware(DeclaredBodySizeLimit, max_size=MAX_BODY_SIZE)
    add_error_handlers(app)
    app.include_router(health.router)
    app.include_router(api_router)
    return app


app = create_app()
