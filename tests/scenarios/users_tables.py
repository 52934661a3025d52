# A user's own tables (tests/user_tables.py adds them and their migrations), tested the plain
# way: no markers, rows written through the API and through db_session.
import uuid

from sqlalchemy import func, select
from task_service.models import Comment, Label, TaskLabel

# What the new tables hold when a test starts, as the strategy promises (None: shared data).
AT_START = None


async def counts(db_session):
    return {
        model.__tablename__: await db_session.scalar(select(func.count()).select_from(model))
        for model in (Comment, Label, TaskLabel)
    }


async def new_task(client, api_headers):
    project = await client.post("/api/v1/projects", json={"name": f"mine {uuid.uuid4().hex}"}, headers=api_headers)
    assert project.status_code == 201
    task = await client.post(f"/api/v1/projects/{project.json()['id']}/tasks", json={"title": "t"}, headers=api_headers)
    assert task.status_code == 201
    return task.json()["id"]


async def test_comments_on_a_task_made_through_the_api(client, api_headers, db_session):
    if AT_START is not None:
        assert await counts(db_session) == AT_START
    task_id = await new_task(client, api_headers)
    db_session.add_all([Comment(task_id=task_id, body=f"comment {n}") for n in range(3)])
    await db_session.commit()
    votes = await db_session.scalars(select(Comment.votes).where(Comment.task_id == task_id))
    assert list(votes) == [0, 0, 0]


async def test_a_tree_of_labels_with_uuid_keys_on_a_task(client, api_headers, db_session):
    if AT_START is not None:
        assert await counts(db_session) == AT_START
    task_id = await new_task(client, api_headers)
    root = Label(name=f"root {uuid.uuid4().hex[:16]}")
    db_session.add(root)
    await db_session.commit()
    children = [Label(name=f"child {uuid.uuid4().hex[:16]}", parent_id=root.id) for _ in range(3)]
    db_session.add_all(children)
    await db_session.commit()
    db_session.add_all([TaskLabel(task_id=task_id, label_id=label.id) for label in [root, *children]])
    await db_session.commit()
    assert await db_session.scalar(select(func.count()).where(TaskLabel.task_id == task_id)) == 4
    assert await db_session.scalar(select(func.count()).where(Label.parent_id == root.id)) == 3


async def test_comments_on_the_first_commented_task(client, api_headers, db_session):
    if AT_START is not None:
        assert await counts(db_session) == AT_START
    task_id = await db_session.scalar(select(Comment.task_id).order_by(Comment.task_id).limit(1))
    task_id = task_id or await new_task(client, api_headers)
    for n in range(5):
        db_session.add(Comment(task_id=task_id, body=f"comment {n}"))
        await db_session.commit()
    assert await db_session.scalar(select(func.count()).where(Comment.task_id == task_id)) >= 5
