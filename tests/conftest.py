"""Fixtures every test folder may use: a migrated database on each supported backend, and
a real SMTP server on loopback collecting what is sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import BACKENDS, Database, migrated_database
from hypothesis import settings
from sqlalchemy import Engine

from bot.sandbox_mail import CollectingHandler, LoopbackController


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """SQLite always; PostgreSQL (a schema of its own) when TEST_DATABASE_URL is set."""
    with migrated_database(request.param, tmp_path) as database:
        yield database


@pytest.fixture
def engine(database: Database) -> Engine:
    """The migrated database's engine."""
    return database.engine


@pytest.fixture
def smtp_handler() -> CollectingHandler:
    """Collects every message the SMTP server accepts."""
    return CollectingHandler()


@pytest.fixture
def smtp_server(smtp_handler: CollectingHandler) -> Iterator[LoopbackController]:
    """aiosmtpd on loopback; a test may stop it itself (SMTP down) before the end."""
    controller = LoopbackController(smtp_handler)
    controller.start()
    try:
        yield controller
    finally:
        if controller._thread is not None:
            controller.stop()


# No time limit inside a unit test: Hypothesis's default 200 ms deadline fails examples when
# the machine is busy (CI shares it), which proves nothing about the rule under test.
settings.register_profile("cashback", deadline=None)
settings.load_profile("cashback")
