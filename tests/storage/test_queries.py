"""What installers read: the summary per status, one serial's history, the device list."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from storage_support import COMPETITOR, Lifecycle, register_serial, serials_from

from core.amounts import StatusTotal
from core.campaign import Campaign
from core.statuses import Status
from storage.services.lookup import NotFound
from storage.services.payments import PaymentLine, record_payments
from storage.services.queries import company_registrations, company_summary, history
from storage.services.review import approve
from storage.uow import UnitOfWork


def test_summary_counts_and_sums_each_status_of_the_company_only(
        engine: Engine, lifecycle: Lifecycle, company_id: int) -> None:
    lifecycle.pending_payment("STP-SE")
    lifecycle.pending_payment("STP-SE")
    lifecycle.pending_payment("SHM")
    lifecycle.info_required()
    lifecycle.under_review()
    lifecycle.paid()
    lifecycle.ineligible()
    lifecycle.pending_payment("STP-CORE2", customer_number=COMPETITOR)

    with Session(engine) as session:
        summary = company_summary(session, company_id)

    assert dict(summary.per_status) == {
        Status.PENDING_PAYMENT: StatusTotal(3, Decimal("230.00")),
        Status.INFO_REQUIRED: StatusTotal(1, Decimal("100.00")),
        Status.UNDER_REVIEW: StatusTotal(1, Decimal("100.00")),
        Status.PAID: StatusTotal(1, Decimal("100.00")),
        Status.INELIGIBLE: StatusTotal(1, Decimal(0)),
    }
    assert (summary.count, summary.pending, summary.paid, summary.awaiting_proof) == (
        7, Decimal("230.00"), Decimal("100.00"), Decimal("200.00"))


def test_summary_of_a_company_without_registrations_is_empty(
        engine: Engine, company_id: int) -> None:
    with Session(engine) as session:
        summary = company_summary(session, company_id)

    assert (summary.count, summary.pending, summary.paid) == (0, Decimal(0), Decimal(0))


def test_history_lists_every_change_of_a_serial_oldest_first(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.under_review()
    with UnitOfWork(engine) as uow:
        approve(uow, campaign=fr_campaign, serial=serial, operator="operator:anne",
                now=now + timedelta(days=5))
    with UnitOfWork(engine) as uow:
        record_payments(uow, campaign=fr_campaign, operator="operator:paul",
                        lines=[PaymentLine(serial, "VIR-7", date(2026, 7, 1))],
                        now=now + timedelta(days=16))

    with Session(engine) as session:
        found, entries = history(session, "fr-2026", f" {serial[:3]}-{serial[3:]} ")

    assert (found.serial, found.status, found.payment_reference) == (serial, "paid", "VIR-7")
    assert [(e.from_status, e.to_status, e.actor, e.channel, e.at) for e in entries] == [
        (None, "info_required", "chat:C-100", "chat", now),
        ("info_required", "under_review", "office@installer.example", "email",
         now + timedelta(days=2)),
        ("under_review", "pending_payment", "operator:anne", "operator", now + timedelta(days=5)),
        ("pending_payment", "paid", "operator:paul", "operator", now + timedelta(days=16)),
    ]
    assert entries[0].reason == "audit_sample"
    assert entries[-1].detail == "VIR-7"


def test_history_of_a_serial_never_registered_is_not_found(
        engine: Engine, lifecycle: Lifecycle) -> None:
    with Session(engine) as session, pytest.raises(NotFound):
        history(session, "fr-2026", "3999999999")


@pytest.fixture
def seven_registrations(engine: Engine, fr_campaign: Campaign, companies: dict[str, int],
                        now: datetime) -> list[str]:
    """Seven registrations a minute apart (newest last) and one of the competitor."""
    serials = serials_from(fr_campaign, 3_800_000_000, 8, sampled=False)
    for minute, serial in enumerate(serials[:7]):
        register_serial(engine, fr_campaign, serial, now + timedelta(minutes=minute),
                        product="SHM" if minute % 3 == 0 else "STP-SE")
    register_serial(engine, fr_campaign, serials[7], now + timedelta(minutes=30),
                    customer_number=COMPETITOR)
    return serials[:7]


def test_company_registrations_come_newest_first_in_pages(
        engine: Engine, company_id: int, seven_registrations: list[str]) -> None:
    with Session(engine) as session:
        pages = [[r.serial for r in company_registrations(session, company_id, offset=offset,
                                                          limit=3)]
                 for offset in (0, 3, 6, 9)]

    newest_first = seven_registrations[::-1]
    assert pages == [newest_first[:3], newest_first[3:6], newest_first[6:], []]


def test_company_registrations_filtered_by_status(
        engine: Engine, fr_campaign: Campaign, company_id: int, seven_registrations: list[str],
        now: datetime) -> None:
    paid = seven_registrations[1:3]
    with UnitOfWork(engine) as uow:
        record_payments(uow, campaign=fr_campaign, operator="operator:paul",
                        lines=[PaymentLine(s, "VIR", date(2026, 7, 1)) for s in paid],
                        now=now + timedelta(days=16))

    with Session(engine) as session:
        found_paid = company_registrations(session, company_id, status=Status.PAID)
        found_pending = company_registrations(session, company_id,
                                              status=Status.PENDING_PAYMENT, limit=2)
        found_none = company_registrations(session, company_id, status=Status.INELIGIBLE)

    assert [r.serial for r in found_paid] == paid[::-1]
    assert [r.serial for r in found_pending] == [seven_registrations[6], seven_registrations[5]]
    assert {r.status for r in found_pending} == {"pending_payment"}
    assert found_none == []
