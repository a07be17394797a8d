"""Engines for SQLite (the embedded default) and PostgreSQL (when DATABASE_URL says so)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

# Execution option of a unit of work that only reads (``UnitOfWork(engine, read_only=True)``).
READ_ONLY = "cashback_read_only"


def sqlite_url(data_dir: Path) -> str:
    """The default database: a file in the data directory."""
    return f"sqlite:///{data_dir / 'cashback.sqlite3'}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs for safe concurrent use."""
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # No server-side prepared statements: after five runs psycopg prepares a statement and
    # PostgreSQL may switch to a generic plan, which for the IN-lists of bulk registration is
    # a linear search per row (~300 ms instead of ~5 ms per 500 serials while the tables have
    # no statistics yet). See BENCHMARKS.md, "register".
    connect_args = {"prepare_threshold": None, **kwargs.pop("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from the driver so BEGIN IMMEDIATE below is what runs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Writers queue on the database lock at BEGIN instead of failing on upgrade mid-transaction.
    # Read-only units of work (READ_ONLY) read a WAL snapshot without taking that lock, so
    # several processes answering /status do not wait for each other.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
