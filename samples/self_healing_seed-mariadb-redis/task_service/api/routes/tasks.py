from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select, update

from task_service.api.deps import KeyCheckedRoute, LiveProjectDep, ProjectId, SessionDep, TaskId
from task_service.api.errors import error_responses
from task_service.api.pagination import PaginationDep, paginate
from task_service.core.db import rows_matched
from task_service.models import Project, Task
from task_service.schemas import Page, TaskCreate, TaskRead, TaskUpdate

router = APIRouter(prefix="/projects/{project_id}/tasks", tags=["tasks"], route_class=KeyCheckedRoute)

NOT_FOUND = error_responses(status.HTTP_404_NOT_FOUND)
UNREADABLE = error_responses(status.HTTP_400_BAD_REQUEST, status.HTTP_413_CONTENT_TOO_LARGE)


@router.post(
    "",
    operation_id="tasks-create",
    description="Add a task to a live project.",
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND | UNREADABLE,
)
async def create_task(project: LiveProjectDep, body: TaskCreate, session: SessionDep) -> TaskRead:
    task = Task(project_id=project.id, **body.model_dump())
    session.add(task)
    await session.commit()
    return TaskRead.model_validate(task)


@router.get(
    "", operation_id="tasks-list", description="One page of a live project's tasks, oldest first.", responses=NOT_FOUND
)
async def list_tasks(project: LiveProjectDep, session: SessionDep, pagination: PaginationDep) -> Page[TaskRead]:
    statement = select(Task).where(Task.project_id == project.id).order_by(Task.created_at, Task.id)
    return await paginate(session, statement, pagination, TaskRead)


@router.patch(
    "/{task_id}",
    operation_id="tasks-update",
    description="Change a task of a live project: its title, whether it is done; only the fields given change.",
    responses=NOT_FOUND | UNREADABLE,
)
async def update_task(project_id: ProjectId, task_id: TaskId, body: TaskUpdate, session: SessionDep) -> TaskRead:
    """The task, if it belongs to this project and the project is live: one UPDATE, which keeps the
    row locked until it is read back and committed."""
    live_project = select(Project.id).where(Project.id == project_id, Project.deleted_at.is_(None)).exists()
    conditions = (Task.id == task_id, Task.project_id == project_id, live_project)
    changes = body.model_dump(exclude_unset=True)
    if changes:
        matched = await rows_matched(session, update(Task).where(*conditions).values(**changes))
        task = await session.get(Task, task_id, populate_existing=True) if matched else None
        await session.commit()
    else:
        task = await session.scalar(select(Task).where(*conditions))
    if task is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"task {task_id} not found in project {project_id}")
    return TaskRead.model_validate(task)
