"""Recording the back office's payment file: pays what is owed, safely repeatable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from storage_support import COMPETITOR, INSTALLER, Lifecycle, count_rows, registration, rows

from core.campaign import Campaign
from core.statuses import Status
from storage.outbox import changes_in
from storage.services.payments import (
    PaymentLine,
    PaymentOutcome,
    PaymentResult,
    record_payments,
)
from storage.tables import OutboxMessage, StatusEvent
from storage.uow import UnitOfWork

OPERATOR = "operator:paul"
PAID_ON = date(2026, 7, 10)


def _pay(engine: Engine, campaign: Campaign, lines: Sequence[PaymentLine],
         at: datetime) -> list[PaymentResult]:
    with UnitOfWork(engine) as uow:
        return record_payments(uow, campaign=campaign, lines=lines, operator=OPERATOR, now=at)


def test_payment_marks_a_pending_registration_paid_with_its_reference(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, company_id: int,
        now: datetime) -> None:
    serial = lifecycle.pending_payment()
    before = count_rows(engine)
    at = now + timedelta(days=25)

    [result] = _pay(engine, fr_campaign, [PaymentLine(serial, "VIR-2026-0042", PAID_ON)], at)

    assert (result.outcome, result.status) == (PaymentOutcome.PAID, "paid")
    found = registration(engine, serial)
    assert (found.status, found.payment_reference, found.paid_on) == (
        "paid", "VIR-2026-0042", PAID_ON)
    event = rows(engine, StatusEvent)[-1]
    assert (event.from_status, event.to_status, event.actor, event.detail) == (
        "pending_payment", "paid", OPERATOR, "VIR-2026-0042")
    notices = rows(engine, OutboxMessage)[before["outbox_message"]:]
    assert sorted(n.kind for n in notices) == ["chat", "email"]
    assert {n.company_id for n in notices} == {company_id}


def test_the_same_payment_file_twice_pays_nothing_twice(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime) -> None:
    lines = [PaymentLine(lifecycle.pending_payment(), f"VIR-{n}", PAID_ON) for n in range(3)]
    _pay(engine, fr_campaign, lines, now + timedelta(days=25))
    before = count_rows(engine)

    again = _pay(engine, fr_campaign, lines, now + timedelta(days=26))

    assert [(r.outcome, r.status) for r in again] == [(PaymentOutcome.ALREADY_PAID, "paid")] * 3
    assert count_rows(engine) == before
    assert [registration(engine, line.serial).payment_reference for line in lines] == [
        "VIR-0", "VIR-1", "VIR-2"]


def test_payment_of_an_unknown_serial_is_reported_not_found(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime) -> None:
    before = count_rows(engine)

    [result] = _pay(engine, fr_campaign, [PaymentLine("3999999999", "VIR-1", PAID_ON)], now)

    assert (result.outcome, result.status) == (PaymentOutcome.NOT_FOUND, None)
    assert count_rows(engine) == before


def test_payment_of_a_registration_not_owed_is_reported_with_its_status(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime) -> None:
    serials = {status: lifecycle.in_status(status) for status in (
        Status.INFO_REQUIRED, Status.UNDER_REVIEW, Status.INELIGIBLE)}
    before = count_rows(engine)

    results = _pay(engine, fr_campaign, [PaymentLine(serial, "VIR-9", PAID_ON)
                                         for serial in serials.values()],
                   now + timedelta(days=25))

    assert [(r.outcome, r.status) for r in results] == [
        (PaymentOutcome.NOT_PAYABLE, status.value) for status in serials]
    assert count_rows(engine) == before
    assert [registration(engine, s).status for s in serials.values()] == [
        s.value for s in serials]


def test_a_payment_file_gives_one_notice_per_company_and_reports_every_line(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle,
        companies: dict[str, int], now: datetime) -> None:
    ours = [lifecycle.pending_payment() for _ in range(3)]
    theirs = lifecycle.pending_payment(customer_number=COMPETITOR)
    waiting = lifecycle.info_required()
    before = count_rows(engine)
    lines = [PaymentLine(f"{s[:5]} {s[5:]}", f"VIR-{s}", PAID_ON) for s in [*ours, theirs]]
    lines += [PaymentLine("3999999999", "VIR-X", PAID_ON), PaymentLine(waiting, "VIR-W", PAID_ON)]

    results = _pay(engine, fr_campaign, lines, now + timedelta(days=25))

    assert [r.outcome for r in results] == [PaymentOutcome.PAID] * 4 + [
        PaymentOutcome.NOT_FOUND, PaymentOutcome.NOT_PAYABLE]
    notices = rows(engine, OutboxMessage)[before["outbox_message"]:]
    by_company: dict[int, list[str]] = {}
    for notice in notices:
        if notice.kind == "email":
            by_company[notice.company_id] = sorted(
                c.serial for c in changes_in(notice.payload))
    assert len(notices) == 4
    assert by_company == {companies[INSTALLER]: sorted(ours), companies[COMPETITOR]: [theirs]}
