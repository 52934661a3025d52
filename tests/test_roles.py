"""The generated suites under the roles users are given, not only a superuser or root.

- A role with LOGIN and CREATEDB only (``createuser -d``, a shared server): every strategy's suite
  passes serially and on two xdist workers. It may not set ``session_replication_role``, so the
  strategies that keep the baseline put it back with checked, logged writes (tests/tables.py).
- A role that owns the one database it was given, without CREATEDB (a managed service's database):
  the suite passes serially; after a run killed mid-test the database is emptied where it stands and
  set up again, never dropped; a test database it may not create, and ``-n 2``, stop the run at once
  with one line naming the privilege.

On MariaDB, a user with ALL on ``<name>\\_%``.* only (docker's ``MARIADB_USER`` is given one
database; this one is given the names that start like its test database): every strategy's suite
passes serially and on two xdist workers.

The servers' admins (``TEMPLATE_POSTGRES_URL``, a superuser; ``TEMPLATE_MARIADB_URL``) make the
roles, users and databases, and drop them afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pymysql
import pytest
from psycopg import sql
from pytest_cookies.plugin import Cookies
from sqlalchemy.engine import make_url

from .baking import DIAGONAL, STRATEGIES, bake, bake_id, database_support, strategy_settings
from .test_baseline import CHECKED, KILLED
from .user_tables import drop_in, leave_to_their_migrations

POSTGRES = database_support("postgresql")
# Reference rows in a parent and a child, in a migration of their own; a script re-points the child
# at a parent it adds and deletes the old one. With foreign keys checked (no session_replication_role),
# only one order of the restore's writes puts that back: inserts and updates first, deletes last.
REFERENCE_ROWS = """from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute("CREATE TABLE kinds (id int PRIMARY KEY, name text UNIQUE)")
    op.execute("CREATE TABLE kind_links (id int PRIMARY KEY, kind_id int NOT NULL REFERENCES kinds)")
    op.execute("INSERT INTO kinds VALUES (1, 'one')")
    op.execute("INSERT INTO kind_links VALUES (1, 1)")


def downgrade() -> None:
    op.execute("DROP TABLE kind_links")
    op.execute("DROP TABLE kinds")
"""
REPOINTED = """import pytest
from sqlalchemy import text


@pytest.mark.parametrize("attempt", range(3))
async def test_a_script_repoints_a_reference_row_and_deletes_its_parent(engine, attempt):
    async with engine.begin() as connection:
        assert list(await connection.execute(text("SELECT id, name FROM kinds"))) == [(1, "one")]
        assert list(await connection.execute(text("SELECT id, kind_id FROM kind_links"))) == [(1, 1)]
        await connection.execute(text("INSERT INTO kinds VALUES (2, 'two')"))
        await connection.execute(text("UPDATE kind_links SET kind_id = 2"))
        await connection.execute(text("DELETE FROM kinds WHERE id = 1"))
"""
# The same, and the new parent given the old one's unique name: no order of checked writes puts that
# back (the key and the unique name would both have to wait), so the run stops after the test with one
# line naming the grant, and the test after it never starts.
SWAPPED = """from sqlalchemy import text


async def test_a_script_repoints_a_reference_row_and_takes_its_parents_name(engine):
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO kinds VALUES (2, 'two')"))
        await connection.execute(text("UPDATE kind_links SET kind_id = 2"))
        await connection.execute(text("DELETE FROM kinds WHERE id = 1"))
        await connection.execute(text("UPDATE kinds SET name = 'one' WHERE id = 2"))


def test_after_it():
    raise AssertionError("the run goes on after the baseline could not be put back")
"""
MARIADB = database_support("mariadb")
PASSWORD = "role-test"


def first_on(database: str) -> tuple[str, str]:
    """The diagonal's first strategy on ``database``: the one whose role test the default command runs."""
    return next(pair for pair in DIAGONAL if pair[1] == database)


@pytest.fixture
def role() -> Iterator[dict[str, str]]:
    """Two new roles, each with a URL: ``createdb`` (LOGIN CREATEDB, its database not made yet) and
    ``owner`` (LOGIN only, owning a database made for it). Dropped afterwards with all they own."""
    suffix = uuid.uuid4().hex[:8]
    names = {"createdb": f"role_createdb_{suffix}", "owner": f"role_owner_{suffix}"}
    admin_url = make_url(POSTGRES.server()).set(drivername="postgresql")
    with psycopg.connect(admin_url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                sql.Identifier(names["createdb"]), sql.Literal(PASSWORD)
            )
        )
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(names["owner"]), sql.Literal(PASSWORD))
        )
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(names["owner"]), sql.Identifier(names["owner"])
            )
        )
        try:
            yield {
                kind: admin_url.set(username=name, password=PASSWORD, database=name).render_as_string(
                    hide_password=False
                )
                for kind, name in names.items()
            }
        finally:
            for name in names.values():
                owned = admin.execute(
                    "SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = %s",
                    [name],
                )
                for (database,) in owned.fetchall():
                    admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))
                admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def database_exists(url: str) -> bool:
    name = make_url(url).database
    admin_url = make_url(POSTGRES.server()).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


@pytest.mark.parametrize(
    "strategy",
    [
        pytest.param(
            strategy,
            id=bake_id(strategy, "postgresql"),
            # One strategy in the default command (the diagonal's first on PostgreSQL); the others with -m combinations.
            marks=[] if (strategy, "postgresql") == first_on("postgresql") else [pytest.mark.combinations],
        )
        for strategy in STRATEGIES
    ],
)
def test_the_suite_runs_under_a_role_that_is_not_a_superuser(
    cookies: Cookies, role: dict[str, str], strategy: str
) -> None:
    baked = bake(cookies, strategy, "postgresql")
    settings = strategy_settings(strategy)
    if settings.test_starts_with == "empty":
        (baked.path / "migrations" / "versions" / "0002_reference_rows.py").write_text(REFERENCE_ROWS)
        leave_to_their_migrations(baked)
        drop_in(baked, REPOINTED, "test_repointed.py")

    for run in (("-q",), ("-q", "-n", "2")):
        result = baked.pytest(*run, database_url=role["createdb"])
        assert result.returncode == 0, f"as a CREATEDB role, pytest {' '.join(run)}:\n{result.stdout[-3000:]}"

    if settings.test_starts_with == "empty":
        drop_in(baked, SWAPPED, "test_swapped.py")
        stopped = baked.pytest("-p", "no:randomly", "tests/test_swapped.py", database_url=role["createdb"])
        assert stopped.returncode != 0, stopped.stdout[-3000:]
        assert "Interrupted: cannot put the baseline back in kind_links, kinds: " in stopped.stdout, stopped.stdout
        assert "GRANT SET ON PARAMETER session_replication_role TO role_createdb_" in stopped.stdout, stopped.stdout
        assert "the run goes on" not in stopped.stdout, stopped.stdout
        (baked.path / "tests" / "test_swapped.py").unlink()

    owner = role["owner"]
    nowhere = make_url(owner).set(database=f"{make_url(owner).database}_missing").render_as_string(hide_password=False)
    refused = baked.pytest("-q", database_url=nowhere)
    assert refused.returncode != 0
    assert "may not create the test database" in refused.stdout + refused.stderr, refused.stdout[-3000:]
    assert "createdb --owner" in refused.stdout + refused.stderr, refused.stdout[-3000:]
    result = baked.pytest("-q", database_url=owner)
    assert result.returncode == 0, f"as the owner of its database, serially:\n{result.stdout[-3000:]}"

    xdist = baked.pytest("-q", "-n", "2", database_url=owner)
    assert xdist.returncode != 0
    refusals = [line for line in xdist.stdout.splitlines() if "may not create databases" in line]
    assert refusals, xdist.stdout[-3000:]
    assert "CREATEDB" in refusals[0] and "INTERNALERROR" not in xdist.stdout, xdist.stdout[-3000:]

    if not settings.keeps_baseline:
        return
    drop_in(baked, KILLED, "test_killed.py")
    drop_in(baked, CHECKED, "test_checked.py")
    killed = baked.pytest("tests/test_killed.py", database_url=owner)
    assert killed.returncode == 3, killed.stdout[-2000:] + killed.stderr[-2000:]
    again = baked.pytest("-s", "tests/test_checked.py", database_url=owner)
    assert again.returncode == 0, again.stdout[-3000:]
    assert "holds changes an earlier run did not put back: making it anew" in again.stdout
    assert database_exists(owner), "the database the role was given is gone"


@pytest.fixture
def mariadb_user() -> Iterator[str]:
    """The test database's URL for a new MariaDB user with ALL on ``<name>\\_%``.* only, its test
    database ``<name>_test`` not made yet. The user and every database of its pattern are dropped afterwards."""
    name = f"user_{uuid.uuid4().hex[:8]}"
    admin_url = make_url(MARIADB.server())
    admin = pymysql.connect(
        host=admin_url.host or "127.0.0.1",
        port=admin_url.port or 3306,
        user=admin_url.username or "root",
        password=admin_url.password or "",
        autocommit=True,
    )
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE USER '{name}'@'%' IDENTIFIED BY '{PASSWORD}'")
        cursor.execute(f"GRANT ALL ON `{name}\\_%`.* TO '{name}'@'%'")
        try:
            yield admin_url.set(username=name, password=PASSWORD, database=f"{name}_test").render_as_string(
                hide_password=False
            )
        finally:
            cursor.execute(
                "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s", [f"{name}%"]
            )
            for (database,) in cursor.fetchall():
                cursor.execute(f"DROP DATABASE `{database}`")
            cursor.execute(f"DROP USER '{name}'@'%'")
    admin.close()


@pytest.mark.parametrize(
    "strategy",
    [
        pytest.param(
            strategy,
            id=bake_id(strategy, "mariadb"),
            # All with -m combinations: the default command stays under 10 minutes on 2 cores.
            marks=[pytest.mark.combinations],
        )
        for strategy in STRATEGIES
    ],
)
def test_the_suite_runs_under_a_mariadb_user_that_is_not_root(
    cookies: Cookies, mariadb_user: str, strategy: str
) -> None:
    baked = bake(cookies, strategy, "mariadb")
    for run in (("-q",), ("-q", "-n", "2")):
        result = baked.pytest(*run, database_url=mariadb_user)
        assert result.returncode == 0, f"as a user granted <name>\\_%, pytest {' '.join(run)}:\n{result.stdout[-3000:]}"
