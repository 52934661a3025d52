import logging

from fastapi import APIRouter, status
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from task_service.api.deps import SessionDep
from task_service.api.errors import error_responses, service_unavailable
from task_service.models import Base
from task_service.schemas import Health

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


# No key: `security: []` says so in the OpenAPI document.
@router.get(
    "/health",
    operation_id="health-read",
    description="Whether the service can serve: 200 while its database answers, else 503. Needs no key.",
    responses=error_responses(status.HTTP_503_SERVICE_UNAVAILABLE),
    openapi_extra={"security": []},
)
async def health(session: SessionDep) -> Health:
    """Ok when the database answers and has every table and column the routes use."""
    await session.execute(text("SELECT 1"))
    try:
        for table in Base.metadata.sorted_tables:
            await session.execute(select(table).limit(0))
    except (OperationalError, ProgrammingError) as exc:
        logger.warning("health check: the database schema is not migrated: %r", exc)
        raise service_unavailable("database not migrated") from exc
    return Health(status="ok")
