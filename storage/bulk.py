"""Writing thousands of rows at once: COPY on PostgreSQL, one executemany on SQLite.

psycopg sends an executemany as one statement per row, each parsed and planned by the server
(prepared statements are off, see :mod:`storage.db`): 100,000 registrations of a portal
export were about 300,000 statements. COPY streams the rows in one command instead. Rows
whose ids the caller needs get them from the table's sequence first. A unique-constraint
violation during COPY is raised as SQLAlchemy's IntegrityError, like an INSERT's, so the
"re-judge after a lost race" logic works the same on both paths.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Table, insert, text
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
        session.execute(insert(table), list(rows))


def insert_rows_returning_ids(session: Session, model: type[SQLModel],
                              rows: Sequence[Row]) -> list[int]:
    """Insert ``rows`` and return their new ids, in the rows' order."""
    if not rows:
        return []
    table = table_of(model)
    if session.get_bind().dialect.name != "postgresql":
        return list(session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            list(rows)).scalars())
    ids = [int(i) for i in session.execute(text(
        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": table.name, "count": len(rows)}).scalars()]
    _copy(session, table, [{"id": rid, **row} for rid, row in zip(ids, rows, strict=True)])
    return ids


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
