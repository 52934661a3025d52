from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from task_service.api.deps import LiveProjectDep, SessionDep
from task_service.api.pagination import PaginationDep, paginate
from task_service.models import Task
from task_service.schemas import Page, TaskCreate, TaskRead, TaskUpdate

router = APIRouter(prefix="/projects/{project_id}/tasks", tags=["tasks"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_task(project: LiveProjectDep, body: TaskCreate, session: SessionDep) -> TaskRead:
    task = Task(project_id=project.id, **body.model_dump())
    session.add(task)
    await session.commit()
    return TaskRead.model_validate(task)


@router.get("")
async def list_tasks(project: LiveProjectDep, session: SessionDep, pagination: PaginationDep) -> Page[TaskRead]:
    statement = select(Task).where(Task.project_id == project.id).order_by(Task.created_at, Task.id)
    return await paginate(session, statement, pagination, TaskRead)


@router.patch("/{task_id}")
async def update_task(project: LiveProjectDep, task_id: int, body: TaskUpdate, session: SessionDep) -> TaskRead:
    task = await session.scalar(select(Task).where(Task.id == task_id, Task.project_id == project.id))
    if task is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"task {task_id} not found in project {project.id}")
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(task, field, value)
    await session.commit()
    return TaskRead.model_validate(task)
