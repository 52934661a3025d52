"""Request bodies over ``MAX_BODY_SIZE`` bytes are refused with a JSON 413.

FastAPI counts the bytes as they arrive (``max_body_size`` on the API router) and answers through
the app's error handlers, in JSON. A ``Content-Length`` over the limit is refused before the body
is read: Starlette's limiter answers that one in plain text, so this middleware answers it first.
"""

from fastapi import status
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_BODY_SIZE = 64 * 1024
# Starlette's own wording, so both ways of refusing a body read the same.
TOO_LARGE = "Content Too Large"


class DeclaredBodySizeLimit:
    """A JSON 413 for a ``Content-Length`` over ``max_size``, without reading the body."""

    def __init__(self, app: ASGIApp, max_size: int) -> None:
        self.app = app
        self.max_size = max_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = Headers(scope=scope).get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_size:
                response = JSONResponse({"detail": TOO_LARGE}, status_code=status.HTTP_413_CONTENT_TOO_LARGE)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
