import asyncio
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request, Response, Security, status
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from task_service.api.errors import error_responses, still_conflicting
from task_service.core.cache import ProjectCache
from task_service.core.config import Settings
from task_service.core.db import is_transient_conflict
from task_service.models import ID_MAX, Project
from task_service.schemas import PlainDigits

logger = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"
READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}
# A write that conflicts with concurrent ones (a deadlock, a serialization failure: see
# core.db.is_transient_conflict) runs again from the start of its transaction, up to this many
# times in all, while less than CONFLICT_RETRY_WINDOW seconds have passed, after a random pause
# of up to CONFLICT_BACKOFF seconds, doubled each time (so the retries do not collide again).
CONFLICT_ATTEMPTS = 5
CONFLICT_RETRY_WINDOW = 2.0
CONFLICT_BACKOFF = 0.02

# Ids outside the column's range, or written any other way than plain digits, can name no row:
# refused with 422 before the database is asked. (`Path` goes first: after a validator, FastAPI
# would write its bounds into the OpenAPI document as `ge` and `le`, not `minimum` and `maximum`.)
ProjectId = Annotated[int, Path(ge=1, le=ID_MAX, description="The project's id"), PlainDigits]
TaskId = Annotated[int, Path(ge=1, le=ID_MAX, description="The task's id"), PlainDigits]

# The dependencies below only read app.state, so they are `async def`: FastAPI runs a plain
# `def` dependency in its thread pool, a hand-off that costs more than the work itself.


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    """The session factory in ``app.state``: the lifespan's, or one the tests put there."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return sessionmaker


async def get_cache(request: Request) -> ProjectCache:
    """The project cache in ``app.state``, on the lifespan's Redis client or one the tests gave."""
    cache: ProjectCache = request.app.state.cache
    return cache


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
CacheDep = Annotated[ProjectCache, Depends(get_cache)]


async def get_session(sessionmaker: SessionmakerDep) -> AsyncIterator[AsyncSession]:
    """One session per request."""
    async with sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]

_api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False)


async def require_api_key(settings: SettingsDep, api_key: Annotated[str | None, Security(_api_key_header)]) -> None:
    expected = settings.api_key.get_secret_value().encode()
    if api_key is None or not secrets.compare_digest(api_key.encode(), expected):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or invalid API key",
            headers={"WWW-Authenticate": "APIKey"},
        )


class KeyCheckedRoute(APIRoute):
    """A route that checks the API key before anything else, the body included, and runs a write
    again when it conflicts with concurrent ones.

    FastAPI reads and parses the body before it runs dependencies, so without this an
    unauthenticated caller would learn from 422s what the API expects. Each attempt of a write
    is the whole request: its dependencies (a new session, so a new transaction) and the route.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if set(kwargs.get("methods") or ()) - READ_ONLY_METHODS:
            kwargs["responses"] = {**error_responses(status.HTTP_409_CONFLICT), **(kwargs.get("responses") or {})}
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def check_key_then_handle(request: Request) -> Response:
            await require_api_key(await get_settings(request), request.headers.get(API_KEY_HEADER))
            if request.method in READ_ONLY_METHODS:
                return await handle(request)
            return await retrying_conflicts(handle, request)

        return check_key_then_handle


async def retrying_conflicts(handle: Callable[[Request], Coroutine[Any, Any, Response]], request: Request) -> Response:
    """``handle(request)``, run again while it fails with a transient conflict (see ``KeyCheckedRoute``)."""
    started = time.monotonic()
    attempt = 1
    while True:
        try:
            return await handle(request)
        except DBAPIError as exc:
            if not is_transient_conflict(exc):
                raise
            where = f"{request.method} {request.url.path}"
            if attempt == CONFLICT_ATTEMPTS or time.monotonic() - started > CONFLICT_RETRY_WINDOW:
                logger.warning("%s still conflicting after %d attempts: %r", where, attempt, exc)
                raise still_conflicting() from exc
            logger.info("%s conflicted with a concurrent change, retrying: %r", where, exc)
        # Random, not secret: spreads the retries of requests that collided.
        await asyncio.sleep(random.uniform(0, CONFLICT_BACKOFF * 2**attempt))  # noqa: S311
        attempt += 1


async def get_live_project(project_id: ProjectId, session: SessionDep) -> Project:
    """The project named in the path; 404 if it never existed or was deleted."""
    project = await session.scalar(select(Project).where(Project.id == project_id, Project.deleted_at.is_(None)))
    if project is None:
        raise project_not_found(project_id)
    return project


def project_not_found(project_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"project {project_id} not found")


LiveProjectDep = Annotated[Project, Depends(get_live_project)]
