"""Every error is JSON with a ``detail`` and shows no internals; the OpenAPI document lists them."""

import json
import logging
import math
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.routing import compile_path

from task_service.schemas import ErrorMessage

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
CONFLICT_RETRY_AFTER_SECONDS = 1
# The database is down, hangs, refuses us or lacks the schema (ProgrammingError: not migrated):
# out of the client's hands, for now. TimeoutError and ConnectionError are OSErrors.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, ProgrammingError, PoolTimeoutError, OSError)

_DESCRIPTIONS = {
    status.HTTP_400_BAD_REQUEST: "Request body is not UTF-8 text",
    status.HTTP_401_UNAUTHORIZED: "Missing or invalid API key",
    status.HTTP_404_NOT_FOUND: "Not found, or deleted",
    status.HTTP_409_CONFLICT: (
        "A live project already has that name, or the change kept conflicting with concurrent ones: try again"
    ),
    status.HTTP_413_CONTENT_TOO_LARGE: "Request body too large",
    status.HTTP_503_SERVICE_UNAVAILABLE: "Database unavailable; try again after Retry-After seconds",
}


# The statuses sent with a Retry-After header (a 409 only when the change kept conflicting), so
# that generated clients can read it typed.
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}}
_HEADERS = {status.HTTP_409_CONFLICT: _RETRY_AFTER, status.HTTP_503_SERVICE_UNAVAILABLE: _RETRY_AFTER}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each with its ``{"detail": ...}`` body and
    the headers it is sent with."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in statuses:
        responses[code] = {"model": ErrorMessage, "description": _DESCRIPTIONS[code]}
        if code in _HEADERS:
            responses[code]["headers"] = _HEADERS[code]
    return responses


def still_conflicting() -> HTTPException:
    """A write that conflicted with concurrent ones on every attempt (see api.deps.KeyCheckedRoute)."""
    return HTTPException(
        status.HTTP_409_CONFLICT,
        detail="the change conflicted with concurrent changes: try again",
        headers={"Retry-After": str(CONFLICT_RETRY_AFTER_SECONDS)},
    )


def service_unavailable(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE, detail=detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


class EscapedJSONResponse(JSONResponse):
    """Compact JSON with every non-ASCII character escaped (``json.dumps``' default): any input
    echoed back encodes, even a lone surrogate."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode()


def _json_number(number: float) -> float | str:
    """JSON has no NaN or infinity, yet Python's parser reads ``NaN``, ``Infinity`` and numbers too
    big for a float (as infinity): a 422 echoes those as text ("nan", "inf")."""
    return number if math.isfinite(number) else str(number)


async def _invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = jsonable_encoder(errors, custom_encoder={float: _json_number})
    return EscapedJSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _documented_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for ``path`` (Starlette's 405 names only one route's)."""
    for template, operations in app.openapi()["paths"].items():
        if compile_path(template)[0].match(path):
            return sorted(method.upper() for method in operations)
    return []


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    allowed = _documented_methods(request.app, request.url.path)
    headers = {"Allow": ", ".join(allowed)} if allowed else getattr(exc, "headers", None)
    return JSONResponse(
        {"detail": "Method Not Allowed"}, status_code=status.HTTP_405_METHOD_NOT_ALLOWED, headers=headers
    )


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    logger.warning("database unavailable during %s %s: %r", request.method, request.url.path, exc)
    return await http_exception_handler(request, service_unavailable("database unavailable"))


async def _unclassified_driver_error(request: Request, exc: Exception) -> Response:
    """A driver error SQLAlchemy has no class for: asyncpg's refusals while connecting (a missing
    database, a rejected password) come as a plain DBAPIError, and mean the database is unavailable.
    Its subclasses that reach here (an IntegrityError no route expects, ...) are bugs: a 500."""
    if type(exc) is not DBAPIError:
        raise exc
    return await _database_unavailable(request, exc)


async def _unexpected_error(_request: Request, _exc: Exception) -> JSONResponse:
    # The server logs the traceback; the client learns nothing about the internals.
    return JSONResponse({"detail": "internal server error"}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, _method_not_allowed)
    for error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error, _database_unavailable)
    app.add_exception_handler(DBAPIError, _unclassified_driver_error)
    app.add_exception_handler(Exception, _unexpected_error)
