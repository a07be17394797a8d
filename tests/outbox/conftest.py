"""The outbox dispatcher against a real database (SQLite; PostgreSQL with TEST_DATABASE_URL)
and a real SMTP server (aiosmtpd on loopback), with a clock the tests move by hand.

The database fixture comes from ``tests/conftest.py``: a migrated SQLite file, or a
PostgreSQL schema of its own per test, reachable by URL from other threads and processes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from outbox_support import (
    FRENCH,
    FRENCH_EMAILS,
    IDENTITY,
    ITALIAN,
    ITALIAN_EMAILS,
    SILENT,
    FakeClock,
)
from shipped_campaigns import load_campaign
from sqlalchemy import Engine
from sqlmodel import select

from bot.outbox.backoff import RetryPolicy
from bot.outbox.dispatcher import Dispatcher
from bot.sandbox_mail import LoopbackController
from core.campaign import Campaign
from storage.services.companies import CompanyRecord, import_companies
from storage.tables import Company
from storage.uow import UnitOfWork


@pytest.fixture
def clock() -> FakeClock:
    """Monday 15 June 2026, 08:00 UTC: inside both campaigns' validity."""
    return FakeClock(datetime.fromisoformat("2026-06-15T08:00:00+00:00"))


@pytest.fixture(scope="session")
def campaigns() -> dict[str, Campaign]:
    return {code: load_campaign(code) for code in ("fr-2026", "it-2026")}


@pytest.fixture
def companies(engine: Engine, clock: FakeClock) -> dict[str, int]:
    """Company ids by customer number: French (two addresses), Italian, and one without any."""
    records = [
        CompanyRecord(FRENCH, "Solaire Dupont SARL", "fr-2026", "fr", FRENCH_EMAILS),
        CompanyRecord(ITALIAN, "Rossi Impianti Srl", "it-2026", "it", ITALIAN_EMAILS),
        CompanyRecord(SILENT, "Sans Adresse SAS", "fr-2026", "fr", ()),
    ]
    with UnitOfWork(engine) as uow:
        import_companies(uow, records=records, now=clock())
    with UnitOfWork(engine) as uow:
        return {c.customer_number: c.id for c in uow.session.exec(select(Company))
                if c.id is not None}


@pytest.fixture
def make_dispatcher(engine: Engine, campaigns: dict[str, Campaign], clock: FakeClock,
                    smtp_server: LoopbackController) -> Callable[..., Dispatcher]:
    """A dispatcher over the test database and SMTP server; keyword arguments override."""

    def make(**overrides: Any) -> Dispatcher:
        options: dict[str, Any] = {
            "engine": engine, "campaigns": campaigns, "identity": IDENTITY,
            "smtp": smtp_server.smtp_config(), "clock": clock,
            "policy": RetryPolicy(max_attempts=10)}
        options.update(overrides)
        return Dispatcher(**options)

    return make
