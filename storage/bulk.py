"""Writing thousands of rows at once: COPY on PostgreSQL, one driver executemany on SQLite.

psycopg sends an executemany as one statement per row, each parsed and planned by the server
(prepared statements are off, see :mod:`storage.db`): 100,000 registrations of a portal
export were about 300,000 statements. COPY streams the rows in one command instead. Rows
whose ids the caller needs get them from the table's sequence first (on SQLite, see
:func:`_sqlite_ids`). A unique-constraint violation during COPY is raised as SQLAlchemy's
IntegrityError, like an INSERT's, so the "re-judge after a lost race" logic works the same
on both paths.

On SQLite, SQLAlchemy would convert every parameter of every row in Python (about 15 µs per
status-event row, 0.16 s of a 10,000-row import, BENCHMARKS.md "import"). The rows of a bulk
write share most of their values (the same moment, actor, channel, status), so each column's
conversion (SQLAlchemy's own, for the dialect) runs once per distinct value and the driver
receives ready rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

Row = Mapping[str, Any]


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel table class."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[Row]) -> None:
    """Insert ``rows`` (all with the same keys) in the session's transaction."""
    if not rows:
        return
    table = table_of(model)
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, rows)
    else:
        _executemany(session.connection(), table, rows)


def insert_rows_returning_ids(session: Session, model: type[SQLModel],
                              rows: Sequence[Row]) -> list[int]:
    """Insert ``rows`` and return their new ids, in the rows' order."""
    if not rows:
        return []
    table = table_of(model)
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_ids(session, table, rows)
    ids = [int(i) for i in session.execute(text(
        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": table.name, "count": len(rows)}).scalars()]
    _copy(session, table, [{"id": rid, **row} for rid, row in zip(ids, rows, strict=True)])
    return ids


def _sqlite_ids(session: Session, table: Table, rows: Sequence[Row]) -> list[int]:
    """One executemany, then the ids SQLite gave: the next ones after the largest.

    With RETURNING, SQLAlchemy sends one INSERT per row to keep the ids in order. SQLite gives
    a row without an id "one larger than the largest ROWID in the table prior to the insert",
    and our units of work hold the write lock from BEGIN IMMEDIATE, so the ids are known.
    """
    largest = select(func.coalesce(func.max(table.c.id), 0))
    before = int(session.execute(largest).scalar_one())
    _executemany(session.connection(), table, rows)
    after = int(session.execute(largest).scalar_one())
    if after != before + len(rows):
        raise RuntimeError(f"{table.name}: ids {before + 1}..{after} for {len(rows)} rows")
    return list(range(before + 1, after + 1))


def _copy(session: Session, table: Table, rows: Sequence[Row]) -> None:
    columns = list(rows[0])
    names = ", ".join(f'"{table.c[name].name}"' for name in columns)
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    with _as_integrity_error(table), raw.cursor() as cursor, \
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


@contextmanager
def _as_integrity_error(table: Table) -> Iterator[None]:
    try:
        yield
    except psycopg.errors.IntegrityError as error:
        raise IntegrityError(f"COPY {table.name}", None, error) from error


def _executemany(connection: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (all with the same keys) with one driver executemany."""
    names = list(rows[0])
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=names)
    if compiled.positional:
        names = list(compiled.positiontup or ())
    converters = [(index, convert) for index, name in enumerate(names)
                  if (convert := _converter(connection, table, name)) is not None]
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    parameters: list[Any] = []
    for row in rows:
        ready = values(row)
        if converters:
            ready = list(ready)
            for index, convert in converters:
                ready[index] = convert(ready[index])
        parameters.append(tuple(ready) if compiled.positional else dict(zip(names, ready,
                                                                          strict=True)))
    connection.exec_driver_sql(str(compiled), parameters)


def _converter(connection: Connection, table: Table,
               name: str) -> Callable[[Any], Any] | None:
    """The column's bind conversion for this dialect, remembered per distinct value."""
    column_type = table.c[name].type
    process = column_type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    if process is None:
        return None
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return process(value)
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = process(value)
            return converted

    return convert
