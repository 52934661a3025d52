"""The test database's tables and rows, read from the database itself, never from a list of models.

What the strategy does to the data between tests goes through here, so it covers every table
the migrations made: the ones added after the project was generated too, whatever their keys
(integer, UUID, composite) and foreign keys (with or without ``ON DELETE``). The functions
take a synchronous connection; async code calls them through ``connection.run_sync``.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Connection, Delete, Insert, MetaData, Table, delete, insert, select, tuple_

# alembic's own table (which migration the database is at): never test data.
VERSION_TABLE = "alembic_version"

# Every row of each table, by table name, in primary-key order.
Rows = dict[str, list[tuple[Any, ...]]]


def read_tables(connection: Connection) -> list[Table]:
    """Every table but alembic's, parents before children (as their foreign keys say)."""
    metadata = MetaData()
    metadata.reflect(connection)
    return [table for table in metadata.sorted_tables if table.name != VERSION_TABLE]


def read_rows(connection: Connection, tables: Sequence[Table]) -> Rows:
    """Every row of ``tables``, in key order, so two reads of the same data compare equal."""
    return {
        table.name: [tuple(row) for row in connection.execute(select(table).order_by(*key_columns(table)))]
        for table in tables
    }


def delete_rows(connection: Connection, tables: Sequence[Table], keep: Rows | None = None) -> None:
    """Delete every row of ``tables``, children first, except the rows of ``keep`` (matched by primary key)."""
    execute(connection, [deletion(table, (keep or {}).get(table.name, [])) for table in reversed(tables)])


def insert_rows(connection: Connection, tables: Sequence[Table], rows: Rows) -> None:
    """Insert ``rows`` into ``tables``, parents first; generated columns are left to the database."""
    execute(connection, [insertion(table, rows[table.name]) for table in tables if rows.get(table.name)])


def deletion(table: Table, kept: list[tuple[Any, ...]]) -> Delete:
    """``DELETE`` of the rows of ``table`` but ``kept`` ones."""
    if not kept:
        return delete(table)
    columns = key_columns(table)
    if len(columns) == 1:
        return delete(table).where(columns[0].not_in([key_of(table, row)[0] for row in kept]))
    return delete(table).where(tuple_(*columns).not_in([key_of(table, row) for row in kept]))


def insertion(table: Table, rows: list[tuple[Any, ...]]) -> Insert:
    """One ``INSERT`` of ``rows`` (rows of ``read_rows``), without the columns the database generates."""
    stored = [(index, column.name) for index, column in enumerate(table.columns) if column.computed is None]
    return insert(table).values([{name: row[index] for index, name in stored} for row in rows])


def key_columns(table: Table) -> list[Column[Any]]:
    """The primary key's columns; every column for a table without one."""
    return list(table.primary_key.columns) or list(table.columns)


def key_of(table: Table, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The primary-key values of ``row`` (a row of ``read_rows``)."""
    names = [column.name for column in table.columns]
    return tuple(row[names.index(column.name)] for column in key_columns(table))


def execute(connection: Connection, statements: Sequence[Delete | Insert]) -> None:
    """Run ``statements`` in order with foreign keys unchecked: MariaDB checks them row by row,
    so rows of one table that refer to each other (a tree) could not be deleted in one statement."""
    connection.exec_driver_sql("SET SESSION foreign_key_checks = 0")
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.exec_driver_sql("SET SESSION foreign_key_checks = 1")
