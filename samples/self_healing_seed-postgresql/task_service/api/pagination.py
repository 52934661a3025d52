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
    """One page of ``statement`` (already ordered), with the total count of all its rows.

    One query, so the total and the page agree even while others write: every row carries
    the total (``count(*) OVER ()``). An empty first page means there is no row at all; only a
    page past the end, with no row to carry the total, asks a second time, for the total alone.
    """
    page = statement.add_columns(func.count().over().label("total"))
    rows = (await session.execute(page.limit(pagination.limit).offset(pagination.offset))).all()
    if rows:
        total = rows[0].total
    elif pagination.offset == 0:
        total = 0
    else:
        counted = select(func.count()).select_from(statement.order_by(None).subquery())
        total = (await session.execute(counted)).scalar_one()
    return Page[ReadT](
        items=[schema.model_validate(row[0]) for row in rows],
        total=total,
        limit=pagination.limit,
        offset=pagination.offset,
    )
