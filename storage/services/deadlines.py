"""The clock's work: expiring unanswered information requests and reminding before."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlmodel import col, select

from core.campaign import Campaign
from core.eligibility import IneligibilityReason
from core.information_requests import (
    RequestState,
    is_overdue,
    local_day,
    reminder_due,
    terms_between,
)
from core.statuses import Channel, Status
from storage.outbox import StatusChange, notify_status_changes
from storage.services.review import registrations_by_company
from storage.status_changes import change_status
from storage.tables import InformationRequest, Registration
from storage.uow import UnitOfWork

SYSTEM_ACTOR = "system:deadline"


def expire_overdue(uow: UnitOfWork, *, campaigns: Mapping[str, Campaign],
                   now: datetime) -> int:
    """Registrations whose documents did not arrive in time become ineligible; returns how many.

    Rows are locked (skipping those another worker holds), so two workers never expire the
    same request twice.
    """
    rows = uow.session.exec(
        select(InformationRequest, Registration)
        .join(Registration, col(Registration.id) == InformationRequest.registration_id)
        .where(InformationRequest.state == RequestState.OPEN.value,
               # A pre-filter in UTC; is_overdue decides in the campaign's zone.
               col(InformationRequest.due_on) <= now.date())
        .with_for_update(skip_locked=True)).all()
    changes: list[tuple[Registration, StatusChange]] = []
    for request, registration in rows:
        campaign = campaigns.get(registration.campaign_code)
        if campaign is None or not is_overdue(request.due_on, now, campaign):
            continue
        if registration.status != Status.INFO_REQUIRED.value:
            continue
        change = change_status(uow.session, registration, Status.INELIGIBLE,
                               actor=SYSTEM_ACTOR, channel=Channel.SYSTEM, now=now,
                               reason=IneligibilityReason.DOCUMENTS_NOT_RECEIVED.value)
        request.state = RequestState.EXPIRED.value
        request.closed_at = now
        uow.session.add(request)
        changes.append((registration, change))
    for company_id, company_changes in registrations_by_company(changes).items():
        notify_status_changes(uow.session, company_id=company_id, changes=company_changes,
                              now=now)
    uow.commit()
    return len(changes)


def send_reminders(uow: UnitOfWork, *, campaigns: Mapping[str, Campaign],
                   now: datetime) -> int:
    """Remind companies of requests coming due (default 7 and 2 days before); returns count."""
    rows = uow.session.exec(
        select(InformationRequest, Registration)
        .join(Registration, col(Registration.id) == InformationRequest.registration_id)
        .where(InformationRequest.state == RequestState.OPEN.value)
        .with_for_update(skip_locked=True)).all()
    reminders: list[tuple[Registration, StatusChange]] = []
    for request, registration in rows:
        campaign = campaigns.get(registration.campaign_code)
        if campaign is None:
            continue
        sent = frozenset(date.fromisoformat(d) for d in request.reminders_sent.split(",") if d)
        terms = terms_between(local_day(request.opened_at, campaign), request.due_on, campaign)
        day = reminder_due(terms, now, campaign, sent)
        if day is None:
            continue
        request.reminders_sent = ",".join(sorted({*map(str, sent), day.isoformat()}))
        uow.session.add(request)
        assert registration.id is not None
        reminders.append((registration, StatusChange(
            registration_id=registration.id, serial=registration.serial,
            product_code=registration.product_code, from_status=registration.status,
            to_status=registration.status, amount_cents=registration.amount_cents,
            due_on=request.due_on, reference=request.reference)))
    for company_id, company_reminders in registrations_by_company(reminders).items():
        notify_status_changes(uow.session, company_id=company_id, now=now, topic="reminder",
                              changes=company_reminders)
    uow.commit()
    return len(reminders)
