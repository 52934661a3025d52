# MariaDB: what else the migrations made (a stored function the trigger calls, a sequence, an
# event) is in every worker's copy of the database too.
from sqlalchemy import text


async def test_a_sequence_and_an_event_the_migrations_made_are_there(db_session):
    assert await db_session.scalar(text("SELECT NEXTVAL(ticket_numbers)")) >= 1000
    events = text("SELECT event_name FROM information_schema.events WHERE event_schema = DATABASE()")
    assert list(await db_session.scalars(events)) == ["purge_project_audit"]
