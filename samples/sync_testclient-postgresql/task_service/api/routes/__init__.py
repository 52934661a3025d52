from fastapi import APIRouter, Depends, status

from task_service.api.body_limit import MAX_BODY_SIZE
from task_service.api.deps import require_api_key
from task_service.api.errors import error_responses
from task_service.api.routes import health, projects, tasks

# Every route here requires the key: its router's routes are KeyCheckedRoutes, which check it before
# the body is read, and the dependency documents it in the OpenAPI document. Bodies are counted as
# they arrive and refused (413) past MAX_BODY_SIZE bytes.
api_router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(require_api_key)],
    max_body_size=MAX_BODY_SIZE,
    responses=error_responses(status.HTTP_401_UNAUTHORIZED, status.HTTP_503_SERVICE_UNAVAILABLE),
)
api_router.include_router(projects.router)
api_router.include_router(tasks.router)

# The OpenAPI document's tags, one per router, described; each operation has its router's tag.
TAGS = [
    {"name": "health", "description": "Whether the service can serve. Needs no key."},
    {"name": "projects", "description": "Projects: created, listed, read, changed and (softly) deleted."},
    {"name": "tasks", "description": "The tasks of a live project."},
]

__all__ = ["TAGS", "api_router", "health"]
