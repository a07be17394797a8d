"""Helpers shared by the storage tests (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from core.campaign import Campaign, parse_campaign_toml
from core.eligibility import in_audit_sample
from core.statuses import Channel
from storage.services.registrations import ClaimInput, ClaimOutcome, register
from storage.uow import UnitOfWork

T = TypeVar("T", bound=SQLModel)

CAMPAIGNS = Path(__file__).resolve().parents[2] / "campaigns"
PARIS = ZoneInfo("Europe/Paris")

# The installer company of most tests, a competitor in France, and an Italian company.
INSTALLER = "C-100"
COMPETITOR = "C-200"
ITALIAN = "C-300"
INSTALLER_EMAILS = ("office@installer.example", "boss@installer.example")
INSTALLED_ON = date(2026, 6, 1)


def load_campaign(name: str) -> Campaign:
    """Load a shipped campaign file the way the application does."""
    path = CAMPAIGNS / f"{name}.toml"
    return parse_campaign_toml(path.read_text(encoding="utf-8"), str(path))


def serials_from(campaign: Campaign, start: int, count: int, *, sampled: bool) -> list[str]:
    """``count`` ten-digit serials from ``start`` on that the audit draw does (not) pick."""
    found: list[str] = []
    number = start
    while len(found) < count:
        if in_audit_sample(str(number), campaign) is sampled:
            found.append(str(number))
        number += 1
    return found


def serial_from(campaign: Campaign, start: int, *, sampled: bool = False) -> str:
    """The first serial from ``start`` on that the audit draw does (not) pick."""
    return serials_from(campaign, start, 1, sampled=sampled)[0]


@dataclass(frozen=True)
class KnownSerials:
    """Serials of the loaded master data, chosen so the audit draw does not interfere."""

    stp_se: str
    shm: str
    shs_module: str
    foreign: str  # a product no campaign includes
    sampled: str  # an STP-SE the fr-2026 audit draw picks
    early: str  # an STP-SE produced after the default installation day


def count_rows(engine: Engine) -> dict[str, int]:
    """The number of rows in every table: a crash must leave every count as it was."""
    with engine.connect() as connection:
        return {name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in SQLModel.metadata.tables.items()}


def rows(engine: Engine, table: type[T], *where: Any) -> list[T]:
    """Every row of ``table`` matching ``where``, read in a fresh session, in insertion order."""
    with Session(engine) as session:
        statement = select(table).where(*where) if where else select(table)
        primary_key = next(iter(table.__table__.primary_key.columns))  # type: ignore[attr-defined]
        return list(session.exec(statement.order_by(primary_key)))


def register_serial(engine: Engine, campaign: Campaign, serial: str, now: datetime, *,
                    customer_number: str = INSTALLER, product: str | None = "STP-SE",
                    installed_on: date = INSTALLED_ON,
                    channel: Channel = Channel.CHAT) -> ClaimOutcome:
    """One device registered in its own unit of work, as a chat handler would."""
    with UnitOfWork(engine) as uow:
        return register(uow, campaign=campaign, customer_number=customer_number,
                        claim=ClaimInput(serial, product, installed_on), channel=channel,
                        actor=f"chat:{customer_number}", now=now)
