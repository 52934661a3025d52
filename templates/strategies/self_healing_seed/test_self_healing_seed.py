"""The self-healing seed strategy: seeds an empty database once, heals a wiped one, stops on a broken seeder."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.baking import DATABASES, Cookies, bake, databases_for

STRATEGY = "self_healing_seed"


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

    (baked.path / baked.package / "seed.py").write_text('raise SystemExit("seed data unavailable: boom")\n')
    broken = baked.pytest("tests/test_health.py", database_url=new_database(database))
    assert broken.returncode != 0
    assert "the seeder failed" in broken.stdout + broken.stderr
    assert "seed data unavailable: boom" in broken.stdout + broken.stderr


def test_compose_offers_the_seeder(cookies: Cookies) -> None:
    compose = (bake(cookies, STRATEGY, DATABASES[0]).path / "docker-compose.yml").read_text()
    assert "docker compose run --rm seed" in compose
