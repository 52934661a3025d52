# What a schema grows into (tests/user_tables.py adds it and its migrations): reference rows a
# data migration wrote, a foreign-key cycle, a trigger with a view over a view, and a test that
# writes through the engine as a script would; tested the plain way.
import uuid

from sqlalchemy import func, insert, select, text, update
from task_service.models import Person, Priority, Project, ProjectAudit, Team

PRIORITIES = ["low", "normal", "high"]
# Whether tests share the data (pragmatic): then a test looks only at its own rows. Otherwise every
# test starts from the baseline: exactly the reference rows, no team, one audit row per project.
SHARED = None


async def priorities(db_session):
    return list(await db_session.scalars(select(Priority.name).order_by(Priority.id)))


async def starts_from_the_baseline(db_session):
    if SHARED:
        assert set(PRIORITIES) <= set(await priorities(db_session))
        return
    assert await priorities(db_session) == PRIORITIES
    assert await db_session.scalar(select(func.count()).select_from(Team)) == 0
    assert await db_session.scalar(select(func.count()).select_from(Person)) == 0
    audited = await db_session.scalar(select(func.count()).select_from(ProjectAudit))
    assert audited == await db_session.scalar(select(func.count()).select_from(Project))


async def test_the_reference_rows_a_data_migration_wrote_are_there(db_session):
    await starts_from_the_baseline(db_session)


async def test_a_team_its_people_and_its_owner_make_a_foreign_key_cycle(db_session):
    await starts_from_the_baseline(db_session)
    team = Team(name=f"team {uuid.uuid4().hex[:8]}")
    db_session.add(team)
    await db_session.commit()
    people = [Person(name=f"person {n}", team_id=team.id) for n in range(3)]
    db_session.add_all(people)
    await db_session.commit()
    team.owner_id = people[0].id
    await db_session.commit()
    owner = select(Person.name).join(Team, Team.owner_id == Person.id).where(Team.id == team.id)
    assert await db_session.scalar(owner) == "person 0"
    assert await db_session.scalar(select(func.count()).where(Person.team_id == team.id)) == 3


async def test_a_trigger_audits_a_project_made_through_the_api_and_views_count_it(client, api_headers, db_session):
    await starts_from_the_baseline(db_session)
    response = await client.post("/api/v1/projects", json={"name": f"audited {uuid.uuid4().hex}"}, headers=api_headers)
    assert response.status_code == 201
    project_id = response.json()["id"]
    actions = await db_session.scalars(select(ProjectAudit.action).where(ProjectAudit.project_id == project_id))
    assert list(actions) == ["created"]
    counted = await db_session.execute(
        text("SELECT entries FROM project_audit_counts WHERE project_id = :id"), {"id": project_id}
    )
    assert counted.scalar_one() == 1
    busy = text("SELECT project_id FROM busy_projects WHERE project_id = :id")
    assert (await db_session.execute(busy, {"id": project_id})).scalar_one() == project_id


async def test_a_script_writes_through_the_engine(engine):
    name = f"script {uuid.uuid4().hex[:8]}"
    async with engine.begin() as connection:
        await connection.execute(insert(Priority).values(name=name))
        team_id = (await connection.execute(insert(Team).values(name=name))).inserted_primary_key[0]
        person = insert(Person).values(name=name, team_id=team_id)
        person_id = (await connection.execute(person)).inserted_primary_key[0]
        await connection.execute(update(Team).where(Team.id == team_id).values(owner_id=person_id))
    async with engine.connect() as connection:
        assert await connection.scalar(select(Team.owner_id).where(Team.id == team_id)) == person_id
        assert await connection.scalar(select(func.count()).where(Priority.name == name)) == 1
