from fastapi import APIRouter, Depends, status

from task_service.api.deps import require_api_key
from task_service.api.errors import error_responses
from task_service.api.routes import health, projects, tasks

# Every route here requires the key: its router's routes are KeyCheckedRoutes, which check it before
# the body is read, and the dependency documents it in the OpenAPI document.
api_router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(require_api_key)],
    responses=error_responses(status.HTTP_401_UNAUTHORIZED, status.HTTP_503_SERVICE_UNAVAILABLE),
)
api_router.include_router(projects.router)
api_router.include_router(tasks.router)

__all__ = ["api_router", "health"]
