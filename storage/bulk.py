"""Inserting thousands of rows at once: one driver executemany, each value converted once.

SQLAlchemy converts every parameter of every row in Python: about 15 µs per status-event row
on SQLite, 0.16 s of a 10,000-row import (BENCHMARKS.md, "import"). The rows of a bulk import
share most of their values (the same moment, actor, channel, status), so here each column's
conversion (SQLAlchemy's own, for the connection's dialect) runs once per distinct value and
the driver receives ready rows. Statements are SQLAlchemy's, compiled for the dialect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

Row = Mapping[str, Any]


def insert_rows(connection: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (all with the same keys) with one executemany."""
    if not rows:
        return
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


def insert_with_ids(connection: Connection, table: Table, rows: Sequence[Row],
                    key: str) -> dict[Any, int]:
    """Insert ``rows`` and return each new row's ``id`` by its (unique) ``key`` column.

    SQLite: the transaction holds the write lock from its first statement (BEGIN IMMEDIATE,
    see :mod:`storage.db`), so the ids after the current largest are ours to give, and one
    plain executemany does. PostgreSQL: ids come from the sequence, with RETURNING.
    """
    if not rows:
        return {}
    if connection.dialect.name == "sqlite":
        last = connection.execute(select(func.max(table.c.id))).scalar() or 0
        ids = {row[key]: last + n for n, row in enumerate(rows, start=1)}
        insert_rows(connection, table, [{"id": ids[row[key]], **row} for row in rows])
        return ids
    returned = connection.execute(insert(table).returning(table.c[key], table.c.id), list(rows))
    return {row[0]: row[1] for row in returned}


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
