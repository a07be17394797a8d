"""Fixtures every test folder may use: a migrated database on each supported backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import BACKENDS, Database, migrated_database
from sqlalchemy import Engine


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """SQLite always; PostgreSQL (a schema of its own) when TEST_DATABASE_URL is set."""
    with migrated_database(request.param, tmp_path) as database:
        yield database


@pytest.fixture
def engine(database: Database) -> Engine:
    """The migrated database's engine."""
    return database.engine
