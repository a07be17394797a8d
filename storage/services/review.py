"""Documents in, operator decisions out: the life of a registration after its verdict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from core.campaign import Campaign
from core.eligibility import IneligibilityReason, InfoReason
from core.information_requests import DocumentKind, RequestState
from core.statuses import Channel, Status
from storage.documents import DocumentStore
from storage.outbox import StatusChange, notify_operators, notify_status_changes
from storage.services.lookup import open_request, registration_by_serial
from storage.status_changes import change_status, open_information_request
from storage.tables import Document, InformationRequest, Registration
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class IncomingDocument:
    """A file that arrived for a registration, already checked to be PDF, JPEG or PNG."""

    filename: str
    content_type: str
    content: bytes


def record_documents(uow: UnitOfWork, *, store: DocumentStore, campaign: Campaign, serial: str,
                     documents: Sequence[IncomingDocument], sender: str, channel: Channel,
                     now: datetime) -> StatusChange:
    """Store the files for an open information request and put the registration under review.

    The bytes are written first (content-addressed, idempotent); the rows, the status change,
    the closed request and the acknowledgement commit together.
    """
    if not documents:
        raise ValueError("no documents to record")
    registration = registration_by_serial(uow.session, campaign.code, serial, for_update=True)
    change = attach_documents(uow.session, store=store, registration=registration,
                              documents=documents, sender=sender, channel=channel, now=now)
    notify_status_changes(uow.session, company_id=registration.company_id, changes=[change],
                          now=now)
    uow.commit()
    return change


def attach_documents(session: Session, *, store: DocumentStore, registration: Registration,
                     documents: Sequence[IncomingDocument], sender: str, channel: Channel,
                     now: datetime, request: InformationRequest | None = None) -> StatusChange:
    """Put one locked registration under review with its files; the caller notifies, commits.

    Shared by the chat/operator path (one serial) and e-mail replies (every registration a
    request e-mail named), so both store, close and audit the same way. ``request`` is the
    open request when the caller already holds it; otherwise it is looked up.
    """
    change = change_status(session, registration, Status.UNDER_REVIEW, actor=sender,
                           channel=channel, now=now)
    assert registration.id is not None
    request = request or open_request(session, registration.id)
    for document in documents:
        digest = store.put(document.content)
        session.add(Document(
            registration_id=registration.id, request_id=request.id if request else None,
            sha256=digest, filename=document.filename[:255], content_type=document.content_type,
            size=len(document.content), sender=sender[:254], channel=channel.value,
            received_at=now))
    if request is not None:
        request.state = RequestState.FULFILLED.value
        request.closed_at = now
        session.add(request)
    notify_operators(session, company_id=registration.company_id,
                     registration_id=registration.id, now=now)
    return change


def approve(uow: UnitOfWork, *, campaign: Campaign, serial: str, operator: str,
            now: datetime) -> StatusChange:
    """The documents prove the claim: the cashback is owed."""
    return _decide(uow, campaign, serial, Status.PENDING_PAYMENT, operator, now)


def reject(uow: UnitOfWork, *, campaign: Campaign, serial: str, reason: str, operator: str,
           now: datetime) -> StatusChange:
    """The documents do not prove the claim; the operator's reason is shown to the company."""
    if not reason.strip():
        raise ValueError("a rejection needs a reason the company can read")
    return _decide(uow, campaign, serial, Status.INELIGIBLE, operator, now,
                   reason=IneligibilityReason.REJECTED_AFTER_REVIEW.value, detail=reason.strip())


def ask_information(uow: UnitOfWork, *, campaign: Campaign, serial: str,
                    documents: tuple[DocumentKind, ...], days: int | None, note: str | None,
                    operator: str, now: datetime) -> StatusChange:
    """A new information request after review, with its own deadline."""
    registration = registration_by_serial(uow.session, campaign.code, serial, for_update=True)
    change = change_status(uow.session, registration, Status.INFO_REQUIRED, actor=operator,
                           channel=Channel.OPERATOR, now=now,
                           reason=InfoReason.OPERATOR_REQUEST.value, detail=note)
    assert registration.id is not None
    request = open_information_request(
        uow.session, registration.id, campaign=campaign, info_reason=InfoReason.OPERATOR_REQUEST,
        documents=documents or (DocumentKind.INVOICE,), now=now, days=days, note=note)
    change = change._replace(due_on=request.due_on, reference=request.reference)
    notify_status_changes(uow.session, company_id=registration.company_id, changes=[change],
                          now=now)
    uow.commit()
    return change


def _decide(uow: UnitOfWork, campaign: Campaign, serial: str, target: Status, operator: str,
            now: datetime, reason: str | None = None, detail: str | None = None) -> StatusChange:
    registration = registration_by_serial(uow.session, campaign.code, serial, for_update=True)
    change = change_status(uow.session, registration, target, actor=operator,
                           channel=Channel.OPERATOR, now=now, reason=reason, detail=detail)
    notify_status_changes(uow.session, company_id=registration.company_id, changes=[change],
                          now=now)
    uow.commit()
    return change


def registrations_by_company(changes: Sequence[tuple[Registration, StatusChange]],
                             ) -> Mapping[int, list[StatusChange]]:
    """Group changes per company, so each company gets one notice per batch."""
    grouped: dict[int, list[StatusChange]] = {}
    for registration, change in changes:
        grouped.setdefault(registration.company_id, []).append(change)
    return grouped
