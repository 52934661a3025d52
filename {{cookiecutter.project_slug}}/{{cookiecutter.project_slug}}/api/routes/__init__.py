from fastapi import APIRouter, Depends

from {{ cookiecutter.project_slug }}.api.deps import require_api_key
from {{ cookiecutter.project_slug }}.api.routes import health, projects, tasks

api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)])
api_router.include_router(projects.router)
api_router.include_router(tasks.router)

__all__ = ["api_router", "health"]
