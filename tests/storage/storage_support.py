"""Helpers shared by the storage tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from shipped_campaigns import load_campaign
from sqlalchemy import Engine, func, inspect
from sqlmodel import Session, SQLModel, select

from core.campaign import Campaign
from core.eligibility import in_audit_sample
from core.statuses import Channel, Status
from storage.db import make_engine
from storage.documents import DocumentStore
from storage.services.payments import PaymentLine, PaymentOutcome, record_payments
from storage.services.registrations import ClaimInput, ClaimOutcome, register
from storage.services.review import IncomingDocument, record_documents, reject
from storage.tables import Registration
from storage.uow import UnitOfWork

T = TypeVar("T", bound=SQLModel)

PARIS = ZoneInfo("Europe/Paris")

# The installer company of most tests, a competitor in France, and an Italian company.
INSTALLER = "C-100"
COMPETITOR = "C-200"
ITALIAN = "C-300"
INSTALLER_EMAILS = ("office@installer.example", "boss@installer.example")
INSTALLED_ON = date(2026, 6, 1)




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
    with Session(engine) as session:
        return counts_in(session)


def counts_in(session: Session) -> dict[str, int]:
    """Row counts of the schema's tables as ``session`` sees them (its own writes included).

    Only tables the migrations created are counted; whether every table has a migration is
    test_migrate's question.
    """
    present = set(inspect(session.connection()).get_table_names())
    return {name: session.exec(select(func.count()).select_from(table)).one()
            for name, table in SQLModel.metadata.tables.items() if name in present}


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


def race_to_register(url: str, campaign_name: str, customer_number: str, serials: list[str],
                     now: datetime, barrier: Any, results: Any) -> None:
    """Body of a competing process: its own engine, every serial started at the barrier.

    Each result is ``(customer_number, serial, status, reason)``; an exception is reported
    as status ``"error"`` instead of escaping, so the test can say what went wrong.
    """
    engine = make_engine(url)
    campaign = load_campaign(campaign_name)
    try:
        for serial in serials:
            barrier.wait(timeout=60)
            try:
                outcome = register_serial(engine, campaign, serial, now,
                                          customer_number=customer_number)
            except Exception as error:  # noqa: BLE001 - reported to the test, not swallowed
                results.put((customer_number, serial, "error", repr(error)))
                continue
            verdict = outcome.verdict
            results.put((customer_number, serial,
                         verdict.status.value if verdict else "invalid",
                         verdict.reason.value if verdict and verdict.reason else None))
    finally:
        engine.dispose()


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
SENDER = INSTALLER_EMAILS[0]


class Lifecycle:
    """Registrations of the installer company brought to any status the way the spec does.

    Each call registers a new serial (one the audit draw leaves alone, or one it picks when
    proof is wanted) at ``now`` and walks it through documents, review and payment.
    """

    def __init__(self, engine: Engine, campaign: Campaign, store: DocumentStore,
                 now: datetime) -> None:
        self.engine = engine
        self.campaign = campaign
        self.store = store
        self.now = now
        self._plain = iter(serials_from(campaign, 3_600_000_000, 100, sampled=False))
        self._sampled = iter(serials_from(campaign, 3_700_000_000, 100, sampled=True))

    def pending_payment(self, product: str = "STP-SE",
                        customer_number: str = INSTALLER) -> str:
        serial = next(self._plain)
        outcome = register_serial(self.engine, self.campaign, serial, self.now, product=product,
                                  customer_number=customer_number)
        assert outcome.verdict is not None
        assert outcome.verdict.status is Status.PENDING_PAYMENT
        return serial

    def info_required(self, customer_number: str = INSTALLER) -> str:
        serial = next(self._sampled)
        outcome = register_serial(self.engine, self.campaign, serial, self.now,
                                  customer_number=customer_number)
        assert outcome.verdict is not None
        assert outcome.verdict.status is Status.INFO_REQUIRED
        return serial

    def under_review(self) -> str:
        serial = self.info_required()
        with UnitOfWork(self.engine) as uow:
            record_documents(uow, store=self.store, campaign=self.campaign, serial=serial,
                             documents=[IncomingDocument("invoice.pdf", "application/pdf", PDF)],
                             sender=SENDER, channel=Channel.EMAIL,
                             now=self.now + timedelta(days=2))
        return serial

    def paid(self) -> str:
        serial = self.pending_payment()
        with UnitOfWork(self.engine) as uow:
            [result] = record_payments(
                uow, campaign=self.campaign, operator="operator:anne",
                lines=[PaymentLine(serial, "PAY-1", date(2026, 7, 1))],
                now=self.now + timedelta(days=16))
        assert result.outcome is PaymentOutcome.PAID
        return serial

    def ineligible(self) -> str:
        serial = self.under_review()
        with UnitOfWork(self.engine) as uow:
            reject(uow, campaign=self.campaign, serial=serial, reason="invoice illegible",
                   operator="operator:anne", now=self.now + timedelta(days=3))
        return serial

    def in_status(self, status: Status) -> str:
        """A new registration in ``status``."""
        make: dict[Status, Callable[[], str]] = {
            Status.PENDING_PAYMENT: self.pending_payment, Status.INFO_REQUIRED: self.info_required,
            Status.UNDER_REVIEW: self.under_review, Status.PAID: self.paid,
            Status.INELIGIBLE: self.ineligible,
        }
        return make[status]()


def registration(engine: Engine, serial: str) -> Registration:
    """The registration of ``serial``, freshly read."""
    [found] = rows(engine, Registration, Registration.serial == serial)
    return found
