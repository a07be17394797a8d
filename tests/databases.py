"""Migrated test databases: SQLite always, PostgreSQL when ``TEST_DATABASE_URL`` is set.

Each PostgreSQL database is a schema of its own, reachable by URL (the ``search_path`` travels
in the URL), so other threads and processes of a test connect to the same one; it is dropped
afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text

from storage.db import make_engine
from storage.migrate import upgrade

BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Database:
    """A migrated, empty database: its URL (for other processes) and this process's engine."""

    url: str
    engine: Engine


def postgres_url(base: str, schema: str) -> str:
    """``base`` with every connection's search_path set to ``schema``."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def migrated_database(backend: str, folder: Path) -> Iterator[Database]:
    """A fresh migrated database of ``backend``; skips the test when PostgreSQL is not set."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'cashback.sqlite3'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield Database(url, engine)
        finally:
            engine.dispose()
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL, e.g. "
                    "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"t_{secrets.token_hex(6)}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = postgres_url(base, schema)
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield Database(url, engine)
        finally:
            engine.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
