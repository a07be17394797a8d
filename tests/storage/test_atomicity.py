"""One use case, one transaction: a crash half-way leaves nothing of it behind.

Each test lets the use case write its rows, makes the crash happen after they reached the
database inside the transaction (the session is flushed and the rows counted there), and then
proves by counting every table that none of them survived.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from storage_support import (
    INSTALLER,
    PDF,
    SENDER,
    Lifecycle,
    count_rows,
    counts_in,
    register_serial,
    registration,
    rows,
    serials_from,
)

import storage.services.deadlines
import storage.services.payments
import storage.services.registrations
import storage.services.review
from core.campaign import Campaign
from core.statuses import Channel, Status
from storage.documents import DocumentStore
from storage.outbox import notify_status_changes
from storage.services.deadlines import expire_overdue
from storage.services.payments import PaymentLine, record_payments
from storage.services.registrations import ClaimInput, register_many
from storage.services.review import IncomingDocument, approve, record_documents
from storage.tables import InformationRequest
from storage.uow import UnitOfWork


class Crash(RuntimeError):
    """The process dies here (as far as the transaction can tell)."""


class CrashAfter:
    """Wraps a step of a use case: runs it, flushes, counts what is written, then crashes."""

    def __init__(self, step: Callable[..., Any]) -> None:
        self.step = step
        self.written: dict[str, int] = {}

    def __call__(self, session: Session, *args: Any, **kwargs: Any) -> None:
        self.step(session, *args, **kwargs)
        session.flush()
        self.written = counts_in(session)
        raise Crash("power cut")


def _grew(crash: CrashAfter, before: dict[str, int]) -> set[str]:
    return {name for name, count in crash.written.items() if count > before[name]}


def test_crash_while_registering_leaves_no_registration_event_request_or_notice(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    crash = CrashAfter(notify_status_changes)
    monkeypatch.setattr(storage.services.registrations, "notify_status_changes", crash)
    serials = (serials_from(fr_campaign, 3_000_000_000, 5, sampled=False)
               + serials_from(fr_campaign, 3_000_000_000, 2, sampled=True))
    before = count_rows(engine)

    with UnitOfWork(engine) as uow, pytest.raises(Crash):
        register_many(uow, campaign=fr_campaign, customer_number=INSTALLER,
                      claims=[ClaimInput(s, "STP-SE", date(2026, 6, 1)) for s in serials],
                      channel=Channel.TEMPLATE, actor="template", now=now)

    assert _grew(crash, before) == {"registration", "status_event", "information_request",
                                    "outbox_message"}
    assert count_rows(engine) == before


def test_crash_after_the_notices_of_a_batch_leaves_nothing_of_the_batch(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The refused claims are written last, after the accepted ones and their notices.
    crash = CrashAfter(storage.services.registrations._store_rejected)
    monkeypatch.setattr(storage.services.registrations, "_store_rejected", crash)
    claims = [ClaimInput(serial, "STP-SE", date(2026, 6, 1))
              for serial in [*serials_from(fr_campaign, 3_000_000_000, 2, sampled=False), "12AB"]]
    before = count_rows(engine)

    with UnitOfWork(engine) as uow, pytest.raises(Crash):
        register_many(uow, campaign=fr_campaign, customer_number=INSTALLER, claims=claims,
                      channel=Channel.TEMPLATE, actor="template", now=now)

    assert _grew(crash, before) == {"registration", "status_event", "outbox_message",
                                    "rejected_claim"}
    assert count_rows(engine) == before


def test_after_a_crash_the_same_serial_can_be_registered(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    serial = serials_from(fr_campaign, 3_000_000_000, 1, sampled=False)[0]
    with monkeypatch.context() as patch:
        patch.setattr(storage.services.registrations, "notify_status_changes",
                      CrashAfter(notify_status_changes))
        with pytest.raises(Crash):
            register_serial(engine, fr_campaign, serial, now)

    outcome = register_serial(engine, fr_campaign, serial, now)

    assert outcome.verdict is not None
    assert outcome.verdict.status is Status.PENDING_PAYMENT
    assert len(rows(engine, InformationRequest)) == 0
    assert registration(engine, serial).status == "pending_payment"


def test_crash_while_recording_documents_keeps_the_request_open_and_records_nothing(
        engine: Engine, fr_campaign: Campaign, store: DocumentStore, lifecycle: Lifecycle,
        now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = lifecycle.info_required()
    crash = CrashAfter(notify_status_changes)
    monkeypatch.setattr(storage.services.review, "notify_status_changes", crash)
    before = count_rows(engine)

    with UnitOfWork(engine) as uow, pytest.raises(Crash):
        record_documents(uow, store=store, campaign=fr_campaign, serial=serial,
                         documents=[IncomingDocument("invoice.pdf", "application/pdf", PDF)],
                         sender=SENDER, channel=Channel.EMAIL, now=now + timedelta(days=1))

    assert _grew(crash, before) == {"document", "status_event", "outbox_message"}
    assert count_rows(engine) == before
    assert registration(engine, serial).status == Status.INFO_REQUIRED.value
    assert [r.state for r in rows(engine, InformationRequest)] == ["open"]


def test_crash_while_approving_leaves_the_registration_under_review(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    serial = lifecycle.under_review()
    crash = CrashAfter(notify_status_changes)
    monkeypatch.setattr(storage.services.review, "notify_status_changes", crash)
    before = count_rows(engine)

    with UnitOfWork(engine) as uow, pytest.raises(Crash):
        approve(uow, campaign=fr_campaign, serial=serial, operator="operator:anne",
                now=now + timedelta(days=4))

    assert _grew(crash, before) == {"status_event", "outbox_message"}
    assert count_rows(engine) == before
    assert registration(engine, serial).status == Status.UNDER_REVIEW.value


def test_crash_while_expiring_leaves_every_request_open(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle, now: datetime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    serials = [lifecycle.info_required() for _ in range(3)]
    crash = CrashAfter(notify_status_changes)
    monkeypatch.setattr(storage.services.deadlines, "notify_status_changes", crash)
    before = count_rows(engine)

    with UnitOfWork(engine) as uow, pytest.raises(Crash):
        expire_overdue(uow, campaigns=campaigns, now=now + timedelta(days=15))

    assert _grew(crash, before) == {"status_event", "outbox_message"}
    assert count_rows(engine) == before
    assert {registration(engine, s).status for s in serials} == {"info_required"}
    assert {r.state for r in rows(engine, InformationRequest)} == {"open"}


def test_crash_while_recording_payments_pays_nothing(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    serials = [lifecycle.pending_payment() for _ in range(3)]
    crash = CrashAfter(notify_status_changes)
    monkeypatch.setattr(storage.services.payments, "notify_status_changes", crash)
    before = count_rows(engine)

    with UnitOfWork(engine) as uow, pytest.raises(Crash):
        record_payments(uow, campaign=fr_campaign, operator="operator:paul",
                        lines=[PaymentLine(s, "VIR-1", date(2026, 7, 1)) for s in serials],
                        now=now + timedelta(days=16))

    assert _grew(crash, before) == {"status_event", "outbox_message"}
    assert count_rows(engine) == before
    assert {(registration(engine, s).status, registration(engine, s).payment_reference)
            for s in serials} == {("pending_payment", None)}
