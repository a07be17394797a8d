"""Storage tests run against every database the assistant supports.

``database`` and ``engine`` (from ``tests/conftest.py``) are parametrized: SQLite always (a
file, like the embedded default), PostgreSQL when ``TEST_DATABASE_URL`` points at a server.
Each PostgreSQL test gets a schema of its own, so tests never see each other's rows; the
schema is dropped afterwards.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from shipped_campaigns import load_campaign
from sqlalchemy import Engine
from sqlmodel import select
from storage_support import (
    COMPETITOR,
    INSTALLER,
    INSTALLER_EMAILS,
    ITALIAN,
    PARIS,
    KnownSerials,
    Lifecycle,
    serial_from,
)

from core.campaign import Campaign
from core.masterdata import Device
from storage.documents import DocumentStore
from storage.services.companies import CompanyRecord, import_companies, import_masterdata
from storage.tables import Company
from storage.uow import UnitOfWork


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    return DocumentStore(tmp_path / "documents")


@pytest.fixture(scope="session")
def fr_campaign() -> Campaign:
    return load_campaign("fr-2026")


@pytest.fixture(scope="session")
def it_campaign() -> Campaign:
    return load_campaign("it-2026")


@pytest.fixture(scope="session")
def campaigns(fr_campaign: Campaign, it_campaign: Campaign) -> dict[str, Campaign]:
    return {fr_campaign.code: fr_campaign, it_campaign.code: it_campaign}


@pytest.fixture
def now() -> datetime:
    """Monday 15 June 2026, 10:00 in Paris: inside both campaigns' validity."""
    return datetime(2026, 6, 15, 10, 0, tzinfo=PARIS)


@pytest.fixture
def companies(engine: Engine, now: datetime) -> dict[str, int]:
    """Enrolled companies' ids by customer number: installer, competitor, Italian."""
    records = [
        CompanyRecord(INSTALLER, "Solaire Dupont SARL", "fr-2026", "fr", INSTALLER_EMAILS),
        CompanyRecord(COMPETITOR, "Photon Martin SAS", "fr-2026", "fr",
                      ("contact@competitor.example",)),
        CompanyRecord(ITALIAN, "Rossi Impianti Srl", "it-2026", "it", ("info@rossi.example",)),
    ]
    with UnitOfWork(engine) as uow:
        import_companies(uow, records=records, now=now)
    with UnitOfWork(engine) as uow:
        return {company.customer_number: company.id
                for company in uow.session.exec(select(Company)) if company.id is not None}


@pytest.fixture
def company_id(companies: dict[str, int]) -> int:
    """The installer company most tests register for."""
    return companies[INSTALLER]


@pytest.fixture(scope="session")
def known(fr_campaign: Campaign) -> KnownSerials:
    return KnownSerials(
        stp_se=serial_from(fr_campaign, 3012345678),
        shm=serial_from(fr_campaign, 3100000000),
        shs_module=serial_from(fr_campaign, 3200000000),
        foreign=serial_from(fr_campaign, 3300000000),
        sampled=serial_from(fr_campaign, 3400000000, sampled=True),
        early=serial_from(fr_campaign, 3500000000),
    )


@pytest.fixture
def masterdata(engine: Engine, known: KnownSerials) -> KnownSerials:
    """Load the manufacturer's device list; without this fixture campaigns run without it."""
    produced = date(2025, 11, 3)
    devices = [
        Device(known.stp_se, "STP-SE", produced),
        Device(known.shm, "SHM", produced),
        Device(known.shs_module, "SHS-MODULE", produced),
        Device(known.foreign, "SB-5.0", produced),
        Device(known.sampled, "STP-SE", produced),
        Device(known.early, "STP-SE", date(2026, 7, 1)),
    ]
    with UnitOfWork(engine) as uow:
        import_masterdata(uow, devices=devices)
    return known


@pytest.fixture
def lifecycle(engine: Engine, fr_campaign: Campaign, store: DocumentStore,
              companies: dict[str, int], now: datetime) -> Lifecycle:
    """Registrations of the installer company in any status, in the French campaign."""
    return Lifecycle(engine, fr_campaign, store, now)
