from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from task_service.api.deps import KeyCheckedRoute, LiveProjectDep, ProjectId, SessionDep, project_not_found
from task_service.api.errors import error_responses
from task_service.api.pagination import PaginationDep, paginate
from task_service.core.db import rows_matched
from task_service.models import PROJECT_NAME_MAX_LENGTH, Project
from task_service.schemas import STORABLE_TEXT, Page, ProjectCreate, ProjectRead, ProjectUpdate

router = APIRouter(prefix="/projects", tags=["projects"], route_class=KeyCheckedRoute)

NOT_FOUND = error_responses(status.HTTP_404_NOT_FOUND)
WRITE_ERRORS = error_responses(status.HTTP_400_BAD_REQUEST, status.HTTP_409_CONFLICT, status.HTTP_413_CONTENT_TOO_LARGE)


@asynccontextmanager
async def _conflict_on_taken_name(session: AsyncSession, name: str | None) -> AsyncIterator[None]:
    """The partial unique index turns a duplicate live name into a 409, whoever wrote first."""
    try:
        yield
    except IntegrityError as exc:
        await session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"a project named {name!r} already exists") from exc


def _is_live(project_id: int) -> ColumnElement[bool]:
    return and_(Project.id == project_id, Project.deleted_at.is_(None))


@router.post(
    "",
    operation_id="projects-create",
    description="Create a project. No other live project may have its name.",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
)
async def create_project(body: ProjectCreate, session: SessionDep) -> ProjectRead:
    project = Project(**body.model_dump())
    async with _conflict_on_taken_name(session, body.name):
        session.add(project)
        await session.commit()
    return ProjectRead.model_validate(project)


@router.get(
    "",
    operation_id="projects-list",
    description="One page of the live projects, oldest first, optionally only those whose name contains `q`.",
)
async def list_projects(
    session: SessionDep,
    pagination: PaginationDep,
    q: Annotated[
        str | None,
        Query(
            max_length=PROJECT_NAME_MAX_LENGTH,
            pattern=STORABLE_TEXT,
            description="Only projects whose name contains this text, case-insensitively",
        ),
    ] = None,
) -> Page[ProjectRead]:
    statement = select(Project).where(Project.deleted_at.is_(None)).order_by(Project.created_at, Project.id)
    if q:
        statement = statement.where(Project.name.icontains(q, autoescape=True))
    return await paginate(session, statement, pagination, ProjectRead)


@router.get("/{project_id}", operation_id="projects-read", description="One live project.", responses=NOT_FOUND)
async def read_project(project: LiveProjectDep) -> ProjectRead:
    return ProjectRead.model_validate(project)


@router.patch(
    "/{project_id}",
    operation_id="projects-update",
    description="Change a live project's name or description; only the fields given change.",
    responses=NOT_FOUND | WRITE_ERRORS,
)
async def update_project(project_id: ProjectId, body: ProjectUpdate, session: SessionDep) -> ProjectRead:
    """One UPDATE of the live row, which keeps it locked until the commit: a concurrent delete or
    rename cannot slip in before it is read back."""
    changes = body.model_dump(exclude_unset=True)
    statement = update(Project).where(_is_live(project_id)).values(**changes, updated_at=func.now())
    async with _conflict_on_taken_name(session, changes.get("name")):
        matched = await rows_matched(session, statement)
        project = await session.get(Project, project_id, populate_existing=True) if matched else None
        await session.commit()
    if project is None:
        raise project_not_found(project_id)
    return ProjectRead.model_validate(project)


@router.delete(
    "/{project_id}",
    operation_id="projects-delete",
    description="Delete a live project. It is kept as deleted, and its name is free again.",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
async def delete_project(project_id: ProjectId, session: SessionDep) -> None:
    """Soft delete in one UPDATE: of concurrent deletes of one project, exactly one succeeds."""
    deleted = await rows_matched(session, update(Project).where(_is_live(project_id)).values(deleted_at=func.now()))
    await session.commit()
    if not deleted:
        raise project_not_found(project_id)
