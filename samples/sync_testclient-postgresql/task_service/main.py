from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from task_service.api.routes import api_router, health
from task_service.core.config import Settings
from task_service.core.db import create_engine, create_sessionmaker


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service. Settings are read at start-up unless given (tests pass their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings or Settings()
        engine = create_engine(app.state.settings.database_url, echo=app.state.settings.sql_echo)
        app.state.sessionmaker = create_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="Task Service", lifespan=lifespan)
    app.include_router(health.router)
    app.include_router(api_router)
    return app


app = create_app()
