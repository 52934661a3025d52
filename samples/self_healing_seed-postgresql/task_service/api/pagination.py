from typing import Annotated, Any, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from task_service.schemas import Page, Pagination

PaginationDep = Annotated[Pagination, Query()]
ReadT = TypeVar("ReadT", bound=BaseModel)


async def paginate(
    session: AsyncSession, statement: Select[Any], pagination: Pagination, schema: type[ReadT]
) -> Page[ReadT]:
    """One page of ``statement`` (already ordered), with the total count of all its rows."""
    total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = await session.scalars(statement.limit(pagination.limit).offset(pagination.offset))
    return Page[ReadT](
        items=[schema.model_validate(row) for row in rows],
        total=total or 0,
        limit=pagination.limit,
        offset=pagination.offset,
    )
