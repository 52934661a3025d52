"""The test database's tables and its baseline, read from the database itself, never from a list of models.

The baseline is every row the database holds once it is set up: the rows your migrations write
(reference data, such as a data migration's ``op.bulk_insert``).
Whatever a test changes is put back to it afterwards, row by row: ``restore`` is given the keys
of the rows a test touched (``tests/changes.py`` logs them, whoever wrote them), deletes the rows
the baseline lacks, writes changed rows back as they were and inserts the ones that went. Its
cost follows what the test changed, not the size of the baseline.

It covers every table the migrations made, the ones added after the project was generated too,
whatever their keys (integer, UUID, composite, none) and foreign keys (with or without
``ON DELETE``, to their own table, in a cycle): the restore's own connection (``restoring_engine``)
does not check foreign keys, so no order of rows can fail it:
MariaDB's ``foreign_key_checks = 0``.
Whatever the columns' types, the ones SQLAlchemy has no class for too: rows are read and written
back as the driver hands them over.
Views hold no rows of their own; sequences go on counting, so a test never gets an id back.
A ``TRUNCATE`` fires no trigger on MariaDB: once the logged rows are back, the tables that hold
fewer rows than the baseline are counted in one query and filled again.
The functions take a synchronous connection or engine, whatever the strategy's tests are.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import Any, Protocol
from warnings import catch_warnings, filterwarnings

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    MetaData,
    Table,
    bindparam,
    create_engine,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SAWarning
from sqlalchemy.schema import sort_tables_and_constraints
from sqlalchemy.types import NullType, UserDefinedType

from task_service.core.db import async_database_url, configure_mariadb

# alembic's own table (which migration the database is at), and the change log's (tests/changes.py): never test data.
VERSION_TABLE = "alembic_version"
CHANGE_LOG_PREFIX = "test_changes_"
# Keys per statement when rows are read or deleted by key.
CHUNK = 500
# How often the restore looks again at what it wrote (where its writes are logged), before it gives up.
ROUNDS = 5

Key = tuple[Any, ...]
Row = tuple[Any, ...]
# What a foreign key's ON DELETE or ON UPDATE may do to the rows that refer to the changed one.
ACTIONS = {"CASCADE", "SET NULL", "SET DEFAULT"}


def read_tables(connection: Connection) -> list[Table]:
    """Every table but alembic's and the change log's, parents before children where the foreign keys allow.

    Tables in a foreign-key cycle come in some order: ``sort_tables_and_constraints`` sets the
    cycle's constraints aside (without a warning), and the restore needs no more than that.
    """
    metadata = MetaData()
    with catch_warnings():
        # A column of a type SQLAlchemy has no class for (an extension's) is read as it comes: no warning.
        filterwarnings("ignore", "Did not recognize type", SAWarning)
        metadata.reflect(
            connection,
            only=lambda name, _: name != VERSION_TABLE and not name.startswith(CHANGE_LOG_PREFIX),
        )
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, NullType):
                column.type = AsStored()
    ordered = sort_tables_and_constraints(metadata.tables.values())  # type: ignore[no-untyped-call] # SQLAlchemy's own
    return [table for table, _ in ordered if table is not None]


class AsStored(UserDefinedType[Any]):
    """The type of a column SQLAlchemy has no class for (an extension's, a composite, ...): its values
    go to the driver and back as it hands them over, with no cast, and the database reads them as its own."""

    cache_ok = True


def key_columns(table: Table) -> list[Column[Any]]:
    """The primary key's columns; every column for a table without one."""
    return list(table.primary_key.columns) or list(table.columns)


def key_of(table: Table, row: Row) -> Key:
    """The primary-key values of ``row`` (a row of ``select(table)``)."""
    names = table.columns.keys()
    return tuple(row[names.index(column.name)] for column in key_columns(table))


@dataclass(frozen=True)
class Baseline:
    """The set-up database: its tables (parents first) and every row of each, by key."""

    tables: dict[str, Table]
    rows: dict[str, dict[Key, Row]]

    @cached_property
    def referrers(self) -> dict[str, list["Referrers"]]:
        """For each table, the baseline rows of other tables that a foreign-key action changes with its rows."""
        found: dict[str, list[Referrers]] = {}
        for table in self.tables.values():
            for constraint in table.foreign_key_constraints:
                parent = constraint.referred_table.name
                if {constraint.ondelete, constraint.onupdate} & ACTIONS and parent in self.tables:
                    columns = [element.parent.name for element in constraint.elements]
                    referred = [element.column.name for element in constraint.elements]
                    found.setdefault(parent, []).append(Referrers(table, referred, self.rows[table.name], columns))
        return found

    def with_referrers(self, keys: dict[str, set[Key]]) -> dict[str, set[Key]]:
        """``keys``, and the keys of the baseline rows that foreign-key actions changed with them.

        MariaDB fires no trigger for what a foreign key's action does, so the change
        log cannot name those rows. Tables come parents first, so actions that chain are followed.
        """
        keys = {name: set(found) for name, found in keys.items()}
        for name, table in self.tables.items():
            for referrers in self.referrers.get(name, []):
                for key in keys.get(name, set()) & self.rows[name].keys():
                    values = dict(zip(table.columns.keys(), self.rows[name][key], strict=True))
                    found = referrers.by_reference.get(tuple(values[column] for column in referrers.referred), [])
                    keys.setdefault(referrers.table.name, set()).update(found)
        return keys


@dataclass(frozen=True)
class Referrers:
    """The baseline rows of ``table`` by the values of ``columns``, which refer to the parent's ``referred`` columns."""

    table: Table
    referred: list[str]
    rows: dict[Key, Row]
    columns: list[str]
    by_reference: dict[Key, list[Key]] = field(init=False)

    def __post_init__(self) -> None:
        by_reference: dict[Key, list[Key]] = {}
        for key, row in self.rows.items():
            values = dict(zip(self.table.columns.keys(), row, strict=True))
            by_reference.setdefault(tuple(values[column] for column in self.columns), []).append(key)
        object.__setattr__(self, "by_reference", by_reference)


def read_baseline(connection: Connection) -> Baseline:
    """Every row of every table, read once the database is set up."""
    tables = read_tables(connection)
    rows = {
        table.name: {key_of(table, row): row for row in map(tuple, connection.execute(select(table)))}
        for table in tables
    }
    return Baseline({table.name: table for table in tables}, rows)


@dataclass(frozen=True)
class Repair:
    """What ``restore`` does to a table: delete the rows the baseline lacks, write back changed and missing ones."""

    table: Table
    added: list[Key] = field(default_factory=list)
    changed: list[Row] = field(default_factory=list)
    missing: list[Row] = field(default_factory=list)
    # A table without a primary key is emptied and filled again with these rows, its whole baseline
    # (``missing`` then holds those of them of which fewer were left: none if rows were only added).
    whole: list[Row] | None = None


def restoring_engine(database_url: str) -> Engine:
    """An engine for ``put_back`` on the database at ``database_url``: its connections do not check
    foreign keys."""
    url = make_url(async_database_url(database_url)).set(drivername="mariadb+pymysql")
    engine = create_engine(url, connect_args={"init_command": "SET SESSION foreign_key_checks = 0"})
    configure_mariadb(engine)
    return engine


def put_back(engine: Engine, baseline: Baseline, log: "Log") -> list[str]:
    """Put back every row the change log names as the baseline has it, in one transaction; the tables
    whose baseline rows had been changed or deleted (rows a test only added do not count).

    What a test added is deleted; rows it changed or deleted are written back. Where what the
    restore writes is logged in turn (always, on MariaDB), and what a
    trigger of yours writes in answer, the log is read again until it names nothing new.
    """
    with engine.begin() as connection:
        changed: set[str] = set()
        deleted: dict[str, set[Key]] = {}
        # The baseline rows of the tables a TRUNCATE emptied, which no trigger sees: counted once the rest is back.
        truncated: dict[str, set[Key]] = {}
        for _ in range(ROUNDS):
            keys = {name: found - deleted.get(name, set()) for name, found in log.take(connection).items()}
            for name, found in truncated.items():
                keys.setdefault(name, set()).update(found)
            try:
                repairs = restore(connection, baseline, {name: found for name, found in keys.items() if found})
            except IntegrityError as exc:
                raise CannotPutBack(refusal(connection, exc, keys)) from exc
            for repair in repairs:
                deleted.setdefault(repair.table.name, set()).update(repair.added)
                if repair.changed or repair.missing:
                    changed.add(repair.table.name)
            if not repairs:
                truncated = {name: set(baseline.rows[name]) for name in short(connection, baseline)}
                if not truncated:
                    return sorted(changed)
    raise CannotPutBack(
        f"the baseline still changes after {ROUNDS} rounds of putting it back: does a trigger write on every write?"
    )


def short(connection: Connection, baseline: Baseline) -> list[str]:
    """The tables with baseline rows that hold fewer rows than the baseline once the logged rows are put
    back: a ``TRUNCATE`` emptied them, which MariaDB tells no trigger. One query, for every table."""
    counted = [name for name, rows in baseline.rows.items() if rows]
    if not counted:
        return []
    counts = [select(func.count()).select_from(baseline.tables[name]).scalar_subquery().label(name) for name in counted]
    found = connection.execute(select(*counts)).mappings().one()
    return [name for name in counted if found[name] < len(baseline.rows[name])]


class CannotPutBack(Exception):
    """The baseline could not be put back; the message says why, in one line, and what to do."""


def refusal(connection: Connection, exc: IntegrityError, keys: dict[str, set[Key]]) -> str:
    reason = str(exc.orig).strip().splitlines()[0]
    return f"cannot put the baseline back in {', '.join(sorted(keys))}: {reason}"


class Log(Protocol):
    """``tests/changes.py``'s ``ChangeLog``: the keys of the rows written since it was last asked, by table name."""

    def take(self, connection: Connection) -> dict[str, set[Key]]: ...


def restore(connection: Connection, baseline: Baseline, keys: dict[str, set[Key]]) -> list["Repair"]:
    """Put the rows with these ``keys`` (by table name) back as the baseline has them; what differed.

    Nothing is written where the rows already match.
    """
    keys = baseline.with_referrers(keys)
    repairs = []
    for name, table in baseline.tables.items():
        if keys.get(name) and (repair := compare(connection, table, baseline.rows[name], keys[name])):
            repairs.append(repair)
    if repairs:
        write(connection, repairs)
    return repairs


def compare(connection: Connection, table: Table, rows: dict[Key, Row], keys: set[Key]) -> Repair | None:
    """What differs from the baseline ``rows`` of ``table`` among the rows with these ``keys``."""
    if not table.primary_key.columns:
        # Without a key, rows are told apart by all their values, NULLs too: compared whole.
        present = sorted(map(tuple, connection.execute(select(table))), key=repr)
        seeded = sorted(rows.values(), key=repr)
        if present == seeded:
            return None
        gone = Counter(map(repr, seeded)) - Counter(map(repr, present))
        return Repair(table, missing=[row for row in seeded if repr(row) in gone], whole=seeded)
    # Rows the baseline lacks are deleted, whether they are still there or not; the others are read and compared.
    added = [key for key in keys if key not in rows]
    seeded = [key for key in keys if key in rows]
    found = {key_of(table, row): row for row in select_by_key(connection, table, seeded)}
    changed = [rows[key] for key, row in found.items() if row != rows[key]]
    missing = [rows[key] for key in seeded if key not in found]
    return Repair(table, added, changed, missing) if added or changed or missing else None


def select_by_key(connection: Connection, table: Table, keys: Iterable[Key]) -> Iterator[Row]:
    for chunk in chunks(keys):
        yield from map(tuple, connection.execute(select(table).where(key_in(table, chunk))))


def write(connection: Connection, repairs: Sequence[Repair]) -> None:
    """Rows the baseline lacks are deleted (children first), then the rest written back (parents first)."""
    delete_added(connection, repairs)
    write_back(connection, repairs)


def delete_added(connection: Connection, repairs: Sequence[Repair]) -> None:
    """The rows the baseline lacks, children first."""
    for repair in reversed(repairs):
        for chunk in chunks(repair.added):
            connection.execute(delete(repair.table).where(key_in(repair.table, chunk)))


def write_back(connection: Connection, repairs: Sequence[Repair]) -> None:
    """Changed rows updated and missing rows inserted, parents first; a table without a key emptied and
    filled with its whole baseline."""
    for repair in repairs:
        if repair.whole is not None:
            connection.execute(delete(repair.table))
        if repair.changed:
            connection.execute(*updating(repair.table, repair.changed))
        if rows := repair.missing if repair.whole is None else repair.whole:
            connection.execute(insert(repair.table), [stored_values(repair.table, row) for row in rows])


def updating(table: Table, rows: Sequence[Row]) -> tuple[Any, list[dict[str, Any]]]:
    """An ``UPDATE`` by key, and its parameters: ``rows`` written over the rows with their keys."""
    keys = key_columns(table)
    names = [column.name for column in keys]
    statement = update(table).where(*[column == bindparam(f"key_{column.name}") for column in keys])
    parameters = []
    for row in rows:
        values = {name: value for name, value in stored_values(table, row).items() if name not in names}
        keyed = {f"key_{name}": value for name, value in zip(names, key_of(table, row), strict=True)}
        parameters.append(values | keyed)
    return statement, parameters


def stored_values(table: Table, row: Row) -> dict[str, Any]:
    """The values of ``row`` by column name, but those of the columns the database computes."""
    return {column.name: value for column, value in zip(table.columns, row, strict=True) if column.computed is None}


def key_in(table: Table, keys: Sequence[Key]) -> ColumnElement[bool]:
    columns = key_columns(table)
    if len(columns) == 1:
        return columns[0].in_([key[0] for key in keys])
    return tuple_(*columns).in_(keys)


def chunks(keys: Iterable[Key]) -> Iterator[list[Key]]:
    iterator = iter(keys)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk
