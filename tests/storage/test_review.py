"""The operator's decisions on reviewed documents, and the ones the status diagram forbids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from storage_support import Lifecycle, count_rows, registration, rows

from core.campaign import Campaign
from core.information_requests import DocumentKind
from core.statuses import IllegalTransition, Status
from storage.outbox import changes_in
from storage.services.review import approve, ask_information, reject
from storage.tables import InformationRequest, OutboxMessage, StatusEvent
from storage.uow import UnitOfWork

OPERATOR = "operator:anne"


def _approve(engine: Engine, campaign: Campaign, serial: str, at: datetime) -> None:
    with UnitOfWork(engine) as uow:
        approve(uow, campaign=campaign, serial=serial, operator=OPERATOR, now=at)


def _reject(engine: Engine, campaign: Campaign, serial: str, at: datetime,
            reason: str = "the invoice names another device") -> None:
    with UnitOfWork(engine) as uow:
        reject(uow, campaign=campaign, serial=serial, reason=reason, operator=OPERATOR, now=at)


def _ask(engine: Engine, campaign: Campaign, serial: str, at: datetime,
         days: int | None = None) -> None:
    with UnitOfWork(engine) as uow:
        ask_information(uow, campaign=campaign, serial=serial,
                        documents=(DocumentKind.INSTALLATION_PHOTO,), days=days,
                        note="please send a photo of the type plate", operator=OPERATOR, now=at)


def _last_event(engine: Engine) -> StatusEvent:
    return rows(engine, StatusEvent)[-1]


def test_approval_after_review_makes_the_cashback_owed(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, company_id: int,
        now: datetime) -> None:
    serial = lifecycle.under_review()
    before = count_rows(engine)
    at = now + timedelta(days=4)

    _approve(engine, fr_campaign, serial, at)

    assert registration(engine, serial).status == Status.PENDING_PAYMENT.value
    event = _last_event(engine)
    assert (event.from_status, event.to_status, event.actor, event.channel, event.at) == (
        "under_review", "pending_payment", OPERATOR, "operator", at)
    assert count_rows(engine) == {**before, "status_event": before["status_event"] + 1,
                                  "outbox_message": before["outbox_message"] + 2}


def test_rejection_after_review_is_ineligible_with_the_operators_reason(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.under_review()

    _reject(engine, fr_campaign, serial, now + timedelta(days=4),
            reason="  the invoice names another device ")

    found = registration(engine, serial)
    assert (found.status, found.reason, found.reason_detail) == (
        "ineligible", "rejected_after_review", "the invoice names another device")
    event = _last_event(engine)
    assert (event.to_status, event.reason, event.detail) == (
        "ineligible", "rejected_after_review", "the invoice names another device")
    [change] = changes_in(rows(engine, OutboxMessage)[-1].payload)
    assert (change.to_status, change.detail) == (
        "ineligible", "the invoice names another device")


def test_rejection_without_a_reason_is_refused_and_changes_nothing(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.under_review()
    before = count_rows(engine)

    with pytest.raises(ValueError, match="reason"):
        _reject(engine, fr_campaign, serial, now, reason="   ")

    assert count_rows(engine) == before
    assert registration(engine, serial).status == Status.UNDER_REVIEW.value


def test_asking_more_information_after_review_opens_a_new_request_with_its_own_deadline(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.under_review()
    at = now + timedelta(days=4)

    _ask(engine, fr_campaign, serial, at, days=7)

    found = registration(engine, serial)
    assert (found.status, found.reason) == ("info_required", "operator_request")
    first, second = rows(engine, InformationRequest)
    assert first.state == "fulfilled"
    assert (second.registration_id, second.state, second.due_on) == (
        found.id, "open", date(2026, 6, 19) + timedelta(days=7))
    assert (second.info_reason, second.documents_needed, second.note) == (
        "operator_request", "installation_photo", "please send a photo of the type plate")
    assert second.reference
    assert second.reference != first.reference
    [change] = changes_in(rows(engine, OutboxMessage)[-1].payload)
    assert (change.to_status, change.due_on, change.reference) == (
        "info_required", date(2026, 6, 26), second.reference)


def test_a_new_request_after_review_defaults_to_the_campaign_deadline(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.under_review()

    _ask(engine, fr_campaign, serial, now + timedelta(days=4))

    assert rows(engine, InformationRequest)[-1].due_on == date(2026, 6, 19) + timedelta(days=14)


Decision = Callable[[Engine, Campaign, str, datetime], None]


@pytest.mark.parametrize(("decision", "status"), [
    pytest.param(_approve, Status.PENDING_PAYMENT, id="approve-pending_payment"),
    pytest.param(_approve, Status.INFO_REQUIRED, id="approve-info_required"),
    pytest.param(_approve, Status.PAID, id="approve-paid"),
    pytest.param(_approve, Status.INELIGIBLE, id="approve-ineligible"),
    pytest.param(_reject, Status.PENDING_PAYMENT, id="reject-pending_payment"),
    pytest.param(_reject, Status.PAID, id="reject-paid"),
    pytest.param(_reject, Status.INELIGIBLE, id="reject-ineligible"),
    pytest.param(_ask, Status.PENDING_PAYMENT, id="ask-pending_payment"),
    pytest.param(_ask, Status.INFO_REQUIRED, id="ask-info_required"),
    pytest.param(_ask, Status.PAID, id="ask-paid"),
])
def test_a_decision_the_status_diagram_forbids_raises_and_changes_nothing(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime,
        decision: Decision, status: Status) -> None:
    serial = lifecycle.in_status(status)
    before = count_rows(engine)

    with pytest.raises(IllegalTransition):
        decision(engine, fr_campaign, serial, now + timedelta(days=20))

    assert count_rows(engine) == before
    assert registration(engine, serial).status == status.value
