"""Which rows the tests changed: a log the database keeps itself.

``ChangeLog.install`` gives every table a trigger that writes the key of each row inserted,
updated or deleted into a log table of its own, whoever writes the row: the app, ``db_session``,
``engine``, a script the test runs, or another trigger.
``ChangeLog.take`` reads and empties the logs: the keys of exactly the rows changed since, which
``tests/tables.py`` puts back as the baseline has them. A test that wrote nothing costs one query.
A log's columns are made from the table's own (``CREATE TABLE ... AS SELECT``), whatever their type.

The logs are tables beside yours, named ``test_changes_log_...``: ``tests/tables.py`` leaves them
out, and the migration checks run on an empty database of their own. MariaDB fires no trigger
for what a foreign key's ON DELETE or ON UPDATE does to other rows: ``tests/tables.py`` finds
those itself.
"""

from hashlib import sha1

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Table,
    delete,
    exists,
    false,
    inspect,
    literal,
    select,
    text,
    union_all,
)

from .tables import CHANGE_LOG_PREFIX, Key, key_columns

SCHEMA = None
LOG_PREFIX = CHANGE_LOG_PREFIX + "log_"
# The triggers of a log: after each kind of write, the key of the row before it, after it, or both.
WRITES = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}


class ChangeLog:
    """The log tables of ``tables``, one each, named ``test_changes_log_<hash of the table's name and key>``."""

    def __init__(self, tables: list[Table]) -> None:
        metadata = MetaData(schema=SCHEMA)
        self.logs = {table.name: (table, log_table(table, metadata)) for table in tables}
        # The statements ``take`` runs, made once: which logs hold keys, and each log's keys taken out.
        logged = [select(literal(name)).where(exists(log.select())) for name, (_, log) in self.logs.items()]
        self.logged = union_all(*logged) if logged else None
        self.taking = {name: delete(log).returning(*log.columns) for name, (_, log) in self.logs.items()}

    def install(self, connection: Connection) -> bool:
        """Give every table its log and trigger, unless they are all there; whether they were (re)made."""
        if installed(connection) == {name for _, log in self.logs.values() for name in trigger_names(log)}:
            return False
        uninstall(connection)
        for table, log in self.logs.values():
            connection.exec_driver_sql(create_log(connection, table, log))
            for statement in triggers(connection, table, log):
                connection.exec_driver_sql(statement)
        return True

    def take(self, connection: Connection) -> dict[str, set[Key]]:
        """The keys of the rows written since the last call, by table name; the logs are emptied."""
        if self.logged is None:
            return {}
        return {
            name: {tuple(row) for row in connection.execute(self.taking[name])}
            for name in connection.execute(self.logged).scalars()
        }


def log_table(table: Table, metadata: MetaData) -> Table:
    """The log of ``table``: its key's columns, of the same types. It holds keys only while a test runs."""
    columns = key_columns(table)
    signature = ",".join([table.name, *(f"{column.name} {column.type!r}" for column in columns)])
    name = LOG_PREFIX + sha1(signature.encode(), usedforsecurity=False).hexdigest()[:10]
    return Table(name, metadata, *[Column(column.name, column.type) for column in columns])


def create_log(connection: Connection, table: Table, log: Table) -> str:
    """``CREATE TABLE <log> AS SELECT <key> FROM <table>``, empty: the key's columns with their very types."""
    preparer = connection.dialect.identifier_preparer
    name = preparer.format_table(log)
    key = select(*[table.columns[column.name] for column in log.columns])
    return f"CREATE TABLE {name} AS {key.where(false()).compile(connection)}"


def left_behind(connection: Connection) -> bool:
    """Whether a log holds keys: a run stopped before it put back what its tests changed."""
    logs = [name for name in inspect(connection).get_table_names(schema=SCHEMA) if name.startswith(LOG_PREFIX)]
    metadata = MetaData(schema=SCHEMA)
    return any(connection.execute(select(exists().select_from(Table(name, metadata)))).scalar() for name in logs)


def values(connection: Connection, row: str, log: Table) -> str:
    """``(OLD."id", ...)``: the key of the trigger's ``row`` (``OLD`` or ``NEW``), for an INSERT into ``log``."""
    quote = connection.dialect.identifier_preparer.quote
    return "(" + ", ".join(f"{row}.{quote(column.name)}" for column in log.columns) + ")"


def into(connection: Connection, log: Table) -> str:
    """``INSERT INTO <log> (<its columns>)``."""
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(column.name) for column in log.columns)
    return f"INSERT INTO {preparer.format_table(log)} ({columns})"


def installed(connection: Connection) -> set[str]:
    """The log's triggers there are."""
    query = text(
        "SELECT trigger_name FROM information_schema.triggers "
        "WHERE trigger_schema = DATABASE() AND trigger_name LIKE :prefix"
    )
    return set(connection.execute(query, {"prefix": LOG_PREFIX.replace("_", r"\_") + "%"}).scalars())


def trigger_names(log: Table) -> list[str]:
    return [f"{log.name}_{write}" for write in WRITES]


def uninstall(connection: Connection) -> None:
    """Drop the triggers, the logs and what else is kept beside them."""
    quote = connection.dialect.identifier_preparer.quote
    for name in installed(connection):
        connection.exec_driver_sql(f"DROP TRIGGER {quote(name)}")
    for name in inspect(connection).get_table_names():
        if name.startswith(CHANGE_LOG_PREFIX):
            connection.exec_driver_sql(f"DROP TABLE {quote(name)}")


def triggers(connection: Connection, table: Table, log: Table) -> list[str]:
    """After each kind of write to ``table``, the key of the row it wrote into ``log``."""
    target = connection.dialect.identifier_preparer.format_table(table)
    insert = into(connection, log)
    return [
        f"CREATE TRIGGER {log.name}_{write} AFTER {write.upper()} ON {target} FOR EACH ROW "
        f"{insert} VALUES {', '.join(values(connection, row, log) for row in rows)}"
        for write, rows in WRITES.items()
    ]
