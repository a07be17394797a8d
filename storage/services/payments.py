"""Recording payments from the back office's file, safely repeatable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import select

from core.campaign import Campaign
from core.serials import normalise_serial
from core.statuses import Channel, Status
from storage.outbox import StatusChange, notify_status_changes
from storage.services.lookup import NotFound, registration_by_serial
from storage.services.review import registrations_by_company
from storage.status_changes import change_status
from storage.tables import Registration
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class PaymentLine:
    """One line of the payment file: which registration was paid, under which reference, when.

    The registration is named by its serial or, when the bank file carries it, by its id.
    """

    serial: str
    reference: str
    paid_on: date
    registration_id: int | None = None


class PaymentOutcome(StrEnum):
    """What recording one payment line did."""

    PAID = "paid"
    ALREADY_PAID = "already_paid"
    NOT_FOUND = "not_found"
    NOT_PAYABLE = "not_payable"


@dataclass(frozen=True)
class PaymentResult:
    """The outcome of one line, with the status that prevented payment if any."""

    line: PaymentLine
    outcome: PaymentOutcome
    status: str | None = None


def record_payments(uow: UnitOfWork, *, campaign: Campaign, lines: Sequence[PaymentLine],
                    operator: str, now: datetime) -> list[PaymentResult]:
    """Mark registrations paid; a line already applied is reported, not applied again."""
    results: list[PaymentResult] = []
    changes: list[tuple[Registration, StatusChange]] = []
    for line in lines:
        registration = _registration(uow, campaign, line)
        if registration is None:
            results.append(PaymentResult(line, PaymentOutcome.NOT_FOUND))
            continue
        if registration.status == Status.PAID.value:
            results.append(PaymentResult(line, PaymentOutcome.ALREADY_PAID, registration.status))
            continue
        if registration.status != Status.PENDING_PAYMENT.value:
            results.append(PaymentResult(line, PaymentOutcome.NOT_PAYABLE, registration.status))
            continue
        change = change_status(uow.session, registration, Status.PAID, actor=operator,
                               channel=Channel.OPERATOR, now=now, detail=line.reference)
        registration.payment_reference = line.reference[:64]
        registration.paid_on = line.paid_on
        changes.append((registration, change))
        results.append(PaymentResult(line, PaymentOutcome.PAID, Status.PAID.value))
    for company_id, company_changes in registrations_by_company(changes).items():
        notify_status_changes(uow.session, company_id=company_id, changes=company_changes,
                              now=now)
    uow.commit()
    return results


def _registration(uow: UnitOfWork, campaign: Campaign, line: PaymentLine) -> Registration | None:
    """The line's registration in this campaign, locked; None when there is none."""
    if line.registration_id is not None:
        found = uow.session.exec(select(Registration).where(
            Registration.id == line.registration_id,
            Registration.campaign_code == campaign.code).with_for_update()).first()
        if found is None or (line.serial and found.serial != normalise_serial(line.serial)):
            return None  # an id from another campaign, or contradicting the serial
        return found
    try:
        return registration_by_serial(uow.session, campaign.code, line.serial, for_update=True)
    except NotFound:
        return None
