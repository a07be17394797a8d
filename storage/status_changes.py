"""Changing a registration's status: the state machine, the audit event and the notice."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session

from core.campaign import Campaign
from core.eligibility import InfoReason
from core.information_requests import DocumentKind, RequestState, request_terms
from core.statuses import Channel, Status, transition
from storage.outbox import StatusChange
from storage.tables import InformationRequest, Registration, StatusEvent


def change_status(session: Session, registration: Registration, target: Status, *, actor: str,
                  channel: Channel, now: datetime, reason: str | None = None,
                  detail: str | None = None) -> StatusChange:
    """Apply one legal change (or raise IllegalTransition) and record who did it and why."""
    current = Status(registration.status)
    transition(current, target)
    assert registration.id is not None
    registration.status = target.value
    registration.reason = reason
    registration.reason_detail = detail
    registration.updated_at = now
    session.add(registration)
    session.add(StatusEvent(registration_id=registration.id, at=now, actor=actor,
                            channel=channel.value, from_status=current.value,
                            to_status=target.value, reason=reason, detail=detail))
    return StatusChange(registration_id=registration.id, serial=registration.serial,
                        product_code=registration.product_code, from_status=current.value,
                        to_status=target.value, amount_cents=registration.amount_cents,
                        reason=reason, detail=detail)


def open_information_request(session: Session, registration_id: int, *, campaign: Campaign,
                             info_reason: InfoReason, documents: tuple[DocumentKind, ...],
                             now: datetime, days: int | None = None,
                             note: str | None = None) -> InformationRequest:
    """A new request with its due day and an unguessable reference for e-mail replies."""
    terms = request_terms(now, campaign, days)
    request = InformationRequest(
        registration_id=registration_id, reference=new_reference(), info_reason=info_reason.value,
        documents_needed=",".join(kind.value for kind in documents), note=note, opened_at=now,
        due_on=terms.due_on, state=RequestState.OPEN.value,
    )
    session.add(request)
    return request


def new_reference() -> str:
    """A short reference installers can read and e-mail subjects can carry."""
    return secrets.token_hex(6).upper()
