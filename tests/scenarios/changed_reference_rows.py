# Where every test starts from the rows the migrations wrote, a test may change them too, through
# db_session or the engine: the next one finds them back (tests/test_grown_schema.py checks).
from sqlalchemy import delete, select, update
from task_service.models import Priority


async def priorities(db_session):
    return list(await db_session.scalars(select(Priority.name).order_by(Priority.id)))


async def test_a_test_may_change_the_reference_rows(db_session):
    assert await priorities(db_session) == ["low", "normal", "high"]
    await db_session.execute(update(Priority).where(Priority.name == "high").values(name="urgent"))
    await db_session.execute(delete(Priority).where(Priority.name == "low"))
    await db_session.commit()
    assert await priorities(db_session) == ["normal", "urgent"]


async def test_a_script_may_change_the_reference_rows_through_the_engine(engine):
    async with engine.begin() as connection:
        await connection.execute(update(Priority).where(Priority.name == "normal").values(name="usual"))
        await connection.execute(delete(Priority).where(Priority.name == "high"))
    async with engine.connect() as connection:
        assert list(await connection.scalars(select(Priority.name).order_by(Priority.id))) == ["low", "usual"]
