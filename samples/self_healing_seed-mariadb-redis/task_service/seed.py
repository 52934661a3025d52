"""Fill the database with a small demo baseline: ``python -m task_service.seed``.

Safe to run again: projects that already exist (and are live) are left alone.
Reads ``DATABASE_URL`` from the environment or ``.env``; run ``alembic upgrade head`` first.
"""

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from task_service.core.config import DatabaseSettings
from task_service.core.db import make_engine, make_sessionmaker
from task_service.models import Project, Task

SEED_PROJECTS: dict[str, list[str]] = {
    "Seed: website relaunch": ["Draft the sitemap", "Pick a CMS", "Migrate the blog"],
    "Seed: customer onboarding": ["Write the welcome email", "Record a product tour"],
    "Seed: quarterly planning": ["Collect team goals"],
}


async def seed(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Create the seed projects that are missing; return how many were created."""
    async with sessionmaker() as session:
        existing = set(
            await session.scalars(
                select(Project.name).where(Project.name.in_(SEED_PROJECTS), Project.deleted_at.is_(None))
            )
        )
        missing = [name for name in SEED_PROJECTS if name not in existing]
        session.add_all(
            Project(name=name, tasks=[Task(title=title) for title in SEED_PROJECTS[name]]) for name in missing
        )
        await session.commit()
    return len(missing)


async def main() -> None:
    engine = make_engine(DatabaseSettings().database_url)
    try:
        created = await seed(make_sessionmaker(engine))
    finally:
        await engine.dispose()
    print(f"seeded {created} of {len(SEED_PROJECTS)} projects")


if __name__ == "__main__":
    asyncio.run(main())
