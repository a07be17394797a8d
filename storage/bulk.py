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
receives ready rows. Callers with thousands of rows give them as :class:`Rows`: tuples, and
the values every row shares given once, so no dictionary is built per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import Connection, Dialect, Table, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Rows:
    """Rows as tuples in ``columns`` order, plus the values every row shares, given once."""

    columns: tuple[str, ...]
    values: Sequence[tuple[Any, ...]]
    shared: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Sequence[Row]) -> Rows:
        """Rows given as mappings, all with the same keys."""
        if not rows:
            return cls((), ())
        columns = tuple(rows[0])
        values = itemgetter(*columns)
        if len(columns) == 1:
            return cls(columns, [(row[columns[0]],) for row in rows])
        return cls(columns, [values(row) for row in rows])

    @property
    def names(self) -> tuple[str, ...]:
        """Every column written: each row's, then the shared ones."""
        return (*self.columns, *self.shared)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel table class."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def insert_rows(session: Session, model: type[SQLModel], rows: Rows | Sequence[Row]) -> None:
    """Insert ``rows`` (mappings all with the same keys, or :class:`Rows`) in the transaction."""
    batch = rows if isinstance(rows, Rows) else Rows.of(rows)
    if not batch.values:
        return
    table = table_of(model)
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, batch)
    else:
        _executemany(session.connection(), table, batch)


def insert_rows_returning_ids(session: Session, model: type[SQLModel],
                              rows: Rows | Sequence[Row]) -> list[int]:
    """Insert ``rows`` and return their new ids, in the rows' order."""
    batch = rows if isinstance(rows, Rows) else Rows.of(rows)
    if not batch.values:
        return []
    table = table_of(model)
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_ids(session, table, batch)
    ids = [int(i) for i in session.execute(text(
        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": table.name, "count": len(batch.values)}).scalars()]
    _copy(session, table, Rows(("id", *batch.columns),
                               [(rid, *row) for rid, row in zip(ids, batch.values, strict=True)],
                               batch.shared))
    return ids


def _sqlite_ids(session: Session, table: Table, batch: Rows) -> list[int]:
    """One executemany, then the ids SQLite gave: the next ones after the largest.

    With RETURNING, SQLAlchemy sends one INSERT per row to keep the ids in order. SQLite gives
    a row without an id "one larger than the largest ROWID in the table prior to the insert",
    and our units of work hold the write lock from BEGIN IMMEDIATE, so the ids are known.
    """
    largest = select(func.coalesce(func.max(table.c.id), 0))
    before = int(session.execute(largest).scalar_one())
    _executemany(session.connection(), table, batch)
    after = int(session.execute(largest).scalar_one())
    count = len(batch.values)
    if after != before + count:
        raise RuntimeError(f"{table.name}: ids {before + 1}..{after} for {count} rows")
    return list(range(before + 1, after + 1))


def _copy(session: Session, table: Table, batch: Rows) -> None:
    names = ", ".join(f'"{table.c[name].name}"' for name in batch.names)
    shared = tuple(batch.shared.values())
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    with _as_integrity_error(table), raw.cursor() as cursor, \
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in batch.values:
            copy.write_row(row + shared)


@contextmanager
def _as_integrity_error(table: Table) -> Iterator[None]:
    try:
        yield
    except psycopg.errors.IntegrityError as error:
        raise IntegrityError(f"COPY {table.name}", None, error) from error


def _executemany(connection: Connection, table: Table, batch: Rows) -> None:
    """Insert the rows with one driver executemany (SQLite's qmark parameters)."""
    shared = tuple(convert(value) if (convert := _converter(connection, table, name)) else value
                   for name, value in batch.shared.items())
    converters = [(index, convert) for index, name in enumerate(batch.columns)
                  if (convert := _converter(connection, table, name)) is not None]
    parameters: list[tuple[Any, ...]]
    if not converters:
        parameters = [row + shared for row in batch.values]
    else:
        parameters = []
        for row in batch.values:
            ready = list(row)
            for index, convert in converters:
                ready[index] = convert(ready[index])
            parameters.append((*ready, *shared))
    connection.exec_driver_sql(_insert_sql(connection.dialect, table, batch.names), parameters)


@lru_cache(maxsize=64)
def _insert_sql(dialect: Dialect, table: Table, names: tuple[str, ...]) -> str:
    if dialect.paramstyle != "qmark":
        raise NotImplementedError(f"bulk insert with {dialect.paramstyle} parameters")
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(table.c[name].name) for name in names)
    return (f"INSERT INTO {quote(table.name)} ({columns}) "
            f"VALUES ({', '.join('?' for _ in names)})")


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
