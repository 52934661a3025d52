# Objects real schemas hold beside plain tables (tests/user_tables.py adds them in a migration of
# their own): columns of types SQLAlchemy has no class for, a table without a primary key, a generated
# column; on PostgreSQL a partitioned table, an enum, a domain and a materialized view; on SQLite a
# full-text search table. A script writes to them all through the engine, TRUNCATE included, and the
# next test starts with exactly what the migration wrote.
import uuid

import pytest
from sqlalchemy import text

DATABASE = None
# Whether tests share the data (pragmatic): then nothing is put back, and only the writes are checked.
SHARED = None
# Whether a test that changes the baseline fails (self_healing_seed): then the script only adds rows.
ADDS_ONLY = None

# Each table's rows, read as text, and what the migration wrote in them.
READS = {
    "postgresql": {
        "SELECT price::text, path::text, doubled FROM ledger ORDER BY id": [("(1.5,EUR)", "top.middle", 2)],
        "SELECT id, kind::text, weight FROM events ORDER BY id": [(1, "calm", 3), (2, "busy", 4)],
        "SELECT tableoid::regclass::text FROM events ORDER BY id": [("events_2026",), ("events_other",)],
        "SELECT body, price::text FROM notes ORDER BY body": [("reference", "(2,USD)")],
        "SELECT path::text, label FROM paths ORDER BY path": [("a.b", "reference")],
    },
    "mariadb": {
        "SELECT ST_AsText(spot), label, label_length FROM places ORDER BY id": [("POINT(1 2)", "reference", 9)],
        "SELECT body, ST_AsText(spot) FROM notes ORDER BY body": [("reference", "POINT(3 4)")],
    },
    "sqlite": {
        "SELECT title, body FROM documents ORDER BY rowid": [("reference", "kept between tests")],
        "SELECT title FROM documents WHERE documents MATCH 'kept'": [("reference",)],
        "SELECT outline, area, doubled FROM shapes ORDER BY id": [("POLYGON((0 0,1 0,1 1,0 0))", 0.5, 1.0)],
        "SELECT body, outline FROM notes ORDER BY body": [("reference", "POINT(1 2)")],
    },
}[DATABASE]
# A script's writes: rows added (keys made from ``{n}``, new in each test), changed (moved to another
# partition too) and deleted.
WRITES = {
    "postgresql": [
        "INSERT INTO ledger (price, path) VALUES (ROW(9, 'GBP'), 'x.y')",
        "UPDATE ledger SET price = ROW(7, 'CHF'), path = 'changed' WHERE id = 1",
        "INSERT INTO events VALUES ({n}, '2026-05-01', 'busy', 1)",
        "UPDATE events SET at = '2024-01-01', weight = 9 WHERE id = 1",
        "DELETE FROM events WHERE id = 2",
        "INSERT INTO notes VALUES ('added', ROW(3, 'GBP'))",
        "UPDATE paths SET label = 'changed'",
        "INSERT INTO paths VALUES ('c.d{n}', 'added')",
        "REFRESH MATERIALIZED VIEW ledger_totals",
        "SELECT nextval('invoice_numbers')",
    ],
    "mariadb": [
        "INSERT INTO places (spot, label) VALUES (POINT(5, 6), 'added')",
        "UPDATE places SET spot = POINT(7, 8), label = 'changed' WHERE label = 'reference'",
        "INSERT INTO notes VALUES ('added', POINT(9, 9))",
        "DELETE FROM notes WHERE body = 'reference'",
    ],
    "sqlite": [
        "INSERT INTO documents (title, body) VALUES ('added', 'kept nowhere')",
        "UPDATE documents SET body = 'changed' WHERE title = 'reference'",
        "INSERT INTO shapes (outline, area) VALUES ('POINT(0 0)', 2)",
        "UPDATE shapes SET area = 3",
        "DELETE FROM notes",
        "INSERT INTO notes VALUES ('added', NULL)",
    ],
}[DATABASE]
# Emptied at once, as a script that resets reference data would (SQLite has no TRUNCATE).
TRUNCATES = {"postgresql": ["TRUNCATE notes, paths"], "mariadb": ["TRUNCATE TABLE places"], "sqlite": []}[DATABASE]
if ADDS_ONLY:
    WRITES = [statement for statement in WRITES if statement.startswith("INSERT")]
    TRUNCATES = []


async def read(connection):
    return {query: [tuple(row) for row in await connection.execute(text(query))] for query in READS}


@pytest.mark.parametrize("attempt", range(3))
async def test_a_script_writes_to_every_kind_of_object(engine, attempt):
    async with engine.begin() as connection:
        if not SHARED:
            assert await read(connection) == READS
        n = uuid.uuid4().int % 10**9
        for statement in WRITES:
            await connection.execute(text(statement.format(n=n)))
        changed = await read(connection)
    assert changed != READS
    for statement in TRUNCATES:
        async with engine.begin() as connection:
            await connection.execute(text(statement))


async def test_every_kind_of_object_holds_what_the_migration_wrote(db_session):
    found = await read(await db_session.connection())
    if SHARED:
        assert found.keys() == READS.keys()
    else:
        assert found == READS
