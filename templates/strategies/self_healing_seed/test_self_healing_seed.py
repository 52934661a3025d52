"""Self-healing seed: seeds a database once, restores a changed baseline, stops on a broken seeder and
heals the next run, whatever rows the migrations wrote."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.baking import DATABASES, Cookies, bake, databases_for

# Every database under -m combinations: the default run checks each strategy's isolation on the
# diagonal through the generated suites with a user's own tables (tests/test_generated_projects.py).
pytestmark = pytest.mark.combinations

STRATEGY = "self_healing_seed"

# A test that changes the baseline fails, and the next test finds the baseline whole again.
CHANGES_THE_BASELINE = """
from {package}.seed import SEED_PROJECTS


async def test_1_renames_a_seeded_project(client, api_headers):
    page = (await client.get("/api/v1/projects", params={{"q": "Seed: website"}}, headers=api_headers)).json()
    project_id = page["items"][0]["id"]
    renamed = await client.patch(f"/api/v1/projects/{{project_id}}", json={{"name": "Mine"}}, headers=api_headers)
    assert renamed.status_code == 200


async def test_2_finds_the_seeded_projects(client, api_headers):
    page = (await client.get("/api/v1/projects", params={{"limit": 100}}, headers=api_headers)).json()
    assert sorted(item["name"] for item in page["items"]) == sorted(SEED_PROJECTS)
"""


# A test that deletes a seeded project outright: its seeded tasks go with it (ON DELETE CASCADE,
# which MariaDB's triggers do not see), and the next test finds them all back.
DELETES_FROM_THE_BASELINE = """
from sqlalchemy import text

from {package}.seed import SEED_PROJECTS


async def test_1_deletes_a_seeded_project_and_its_tasks(db_session):
    await db_session.execute(text("DELETE FROM projects WHERE name = 'Seed: website relaunch'"))
    await db_session.commit()


async def test_2_finds_every_seeded_task(client, api_headers):
    for name, titles in SEED_PROJECTS.items():
        page = (await client.get("/api/v1/projects", params={{"q": name}}, headers=api_headers)).json()
        tasks = await client.get(f"/api/v1/projects/{{page['items'][0]['id']}}/tasks", headers=api_headers)
        assert [task["title"] for task in tasks.json()["items"]] == titles
"""


# A data migration: reference rows that are there before the seeder runs, and are no seed.
REFERENCE_ROWS = """\"\"\"a reference project

Revision ID: 0002
Revises: 0001
\"\"\"

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.bulk_insert(sa.table("projects", sa.column("name", sa.String)), [{"name": "Reference: inbox"}])


def downgrade() -> None:
    op.execute("DELETE FROM projects WHERE name = 'Reference: inbox'")
"""
SEEDED = """
from {package}.seed import SEED_PROJECTS


async def test_the_seed_and_the_reference_rows_are_there(client, api_headers):
    page = (await client.get("/api/v1/projects", params={{"limit": 100}}, headers=api_headers)).json()
    assert sorted(item["name"] for item in page["items"]) == sorted([*SEED_PROJECTS, "Reference: inbox"])
"""


@pytest.mark.parametrize("database", databases_for(STRATEGY))
def test_a_broken_seeder_is_run_again_once_fixed_whatever_rows_the_migrations_wrote(
    cookies: Cookies, new_database: Callable[[str], str], database: str
) -> None:
    baked = bake(cookies, STRATEGY, database)
    (baked.path / "migrations" / "versions" / "0002_a_reference_project.py").write_text(REFERENCE_ROWS)
    (baked.path / "tests" / "test_seeded.py").write_text(SEEDED.format(package=baked.package))
    seeder = baked.path / baked.package / "seed.py"
    working = seeder.read_text()
    url = new_database(database)

    seeder.write_text('raise SystemExit("seed data unavailable: boom")\n')
    broken = baked.pytest("-s", "tests/test_seeded.py", database_url=url)
    assert broken.returncode != 0 and "seed data unavailable: boom" in broken.stdout + broken.stderr

    seeder.write_text(working)
    healed = baked.pytest("-s", "tests/test_seeded.py", database_url=url)
    assert healed.returncode == 0 and "running the seeder" in healed.stdout, healed.stdout[-3000:]
    again = baked.pytest("-s", "tests/test_seeded.py", database_url=url)
    assert again.returncode == 0 and "running the seeder" not in again.stdout, again.stdout[-3000:]

    seeder.write_text(working + "\n# A changed seeder seeds again.\n")
    changed = baked.pytest("-s", "tests/test_seeded.py", database_url=url)
    assert changed.returncode == 0 and "running the seeder" in changed.stdout, changed.stdout[-3000:]


@pytest.mark.parametrize("database", databases_for(STRATEGY))
def test_seeds_an_empty_database_once_and_fails_fast_on_a_broken_seeder(
    cookies: Cookies, new_database: Callable[[str], str], database: str
) -> None:
    baked = bake(cookies, STRATEGY, database)
    url = new_database(database)
    first = baked.pytest("-s", "tests/test_health.py", database_url=url)
    assert first.returncode == 0 and "running the seeder" in first.stdout, first.stdout[-2000:]
    again = baked.pytest("-s", "tests/test_health.py", database_url=url)
    assert again.returncode == 0 and "running the seeder" not in again.stdout

    (baked.path / "tests" / "test_baseline.py").write_text(CHANGES_THE_BASELINE.format(package=baked.package))
    healed = baked.pytest("-p", "no:randomly", "tests/test_baseline.py", database_url=url)
    assert re.search(r"^=+ 2 passed, 1 error in ", healed.stdout, re.MULTILINE), healed.stdout[-3000:]
    assert "ERROR at teardown of test_1_renames_a_seeded_project" in healed.stdout
    assert "the test changed the seeded baseline" in healed.stdout

    (baked.path / "tests" / "test_baseline.py").write_text(DELETES_FROM_THE_BASELINE.format(package=baked.package))
    restored = baked.pytest("-p", "no:randomly", "tests/test_baseline.py", database_url=url)
    assert re.search(r"^=+ 2 passed, 1 error in ", restored.stdout, re.MULTILINE), restored.stdout[-3000:]
    assert "ERROR at teardown of test_1_deletes_a_seeded_project_and_its_tasks" in restored.stdout

    (baked.path / baked.package / "seed.py").write_text('raise SystemExit("seed data unavailable: boom")\n')
    broken = baked.pytest("tests/test_health.py", database_url=new_database(database))
    assert broken.returncode != 0
    assert "the seeder failed" in broken.stdout + broken.stderr
    assert "seed data unavailable: boom" in broken.stdout + broken.stderr


def test_compose_offers_the_seeder(cookies: Cookies) -> None:
    compose = (bake(cookies, STRATEGY, DATABASES[0]).path / "docker-compose.yml").read_text()
    assert "docker compose run --rm seed" in compose
