from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from task_service.api.deps import LiveProjectDep, SessionDep
from task_service.api.pagination import PaginationDep, paginate
from task_service.models import Project
from task_service.schemas import Page, ProjectCreate, ProjectRead, ProjectUpdate

router = APIRouter(prefix="/projects", tags=["projects"])


async def _commit_or_conflict(session: AsyncSession, name: str) -> None:
    """Commit; the partial unique index turns a duplicate live name into a 409."""
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"a project named {name!r} already exists") from exc


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_project(body: ProjectCreate, session: SessionDep) -> ProjectRead:
    project = Project(**body.model_dump())
    session.add(project)
    await _commit_or_conflict(session, body.name)
    return ProjectRead.model_validate(project)


@router.get("")
async def list_projects(
    session: SessionDep,
    pagination: PaginationDep,
    q: Annotated[str | None, Query(max_length=100, description="case-insensitive name filter")] = None,
) -> Page[ProjectRead]:
    statement = select(Project).where(Project.deleted_at.is_(None)).order_by(Project.created_at, Project.id)
    if q:
        statement = statement.where(Project.name.icontains(q, autoescape=True))
    return await paginate(session, statement, pagination, ProjectRead)


@router.get("/{project_id}")
async def read_project(project: LiveProjectDep) -> ProjectRead:
    return ProjectRead.model_validate(project)


@router.patch("/{project_id}")
async def update_project(project: LiveProjectDep, body: ProjectUpdate, session: SessionDep) -> ProjectRead:
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(project, field, value)
    await _commit_or_conflict(session, project.name)
    return ProjectRead.model_validate(project)


@router.delete("/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_project(project: LiveProjectDep, session: SessionDep) -> None:
    project.deleted_at = datetime.now(UTC)
    await session.commit()
