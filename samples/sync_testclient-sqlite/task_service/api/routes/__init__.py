from fastapi import APIRouter, Depends

from task_service.api.deps import require_api_key
from task_service.api.routes import health, projects, tasks

api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)])
api_router.include_router(projects.router)
api_router.include_router(tasks.router)

__all__ = ["api_router", "health"]
