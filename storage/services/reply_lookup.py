"""The database facts one e-mail reply is judged on: its requests, its sender, its history.

Read inside the reply's own transaction (:mod:`storage.services.replies`), with the
registrations locked, so what is decided is what is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from core.information_requests import RequestState
from core.replies import ReplyKeys, ReplyProblem, normalise_address
from core.statuses import Status
from storage.outbox import payload_references
from storage.tables import (
    CompanyEmail,
    InformationRequest,
    OutboxMessage,
    ProcessedEmail,
    Registration,
)

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class NamedRequest:
    """An information request a reply names, with its (locked) registration."""

    request: InformationRequest
    registration: Registration

    @property
    def waiting(self) -> bool:
        """Still open and its registration still waits for documents."""
        return (self.request.state == RequestState.OPEN.value
                and self.registration.status == Status.INFO_REQUIRED.value)


def named_requests(session: Session, keys: ReplyKeys) -> list[NamedRequest]:
    """The requests of the most trusted carrier that names any: Message-ID, address, subject.

    A signed Message-ID gives the e-mail we sent, whose payload lists every reference it
    announced (a digest may announce several); the plus-address and the subject tag give
    one reference each.
    """
    carriers: list[Sequence[str]] = [
        _references_in_outbox(session, keys.outbox_ids), keys.address_references,
        [keys.subject_reference] if keys.subject_reference else []]
    for references in carriers:
        found = _by_references(session, references)
        if found:
            return found
    return []


def _references_in_outbox(session: Session, outbox_ids: Sequence[int]) -> list[str]:
    if not outbox_ids:
        return []
    payloads = session.exec(select(OutboxMessage.payload)
                            .where(col(OutboxMessage.id).in_(outbox_ids))).all()
    references: list[str] = []
    for payload in map(json.loads, payloads):
        # Status notices list changes with their reference; our answer to an unusable reply
        # lists the references it was about, so a corrected reply to it matches as well.
        references.extend(payload_references(payload))
    return list(dict.fromkeys(references))


def _by_references(session: Session, references: Sequence[str]) -> list[NamedRequest]:
    if not references:
        return []
    rows = session.exec(
        select(InformationRequest, Registration)
        .join(Registration, col(Registration.id) == InformationRequest.registration_id)
        .where(col(InformationRequest.reference).in_([r.upper() for r in references]))
        .order_by(col(InformationRequest.id))
        .with_for_update()).all()
    return [NamedRequest(request, registration) for request, registration in rows]


def company_addresses(session: Session, company_ids: Iterable[int]) -> dict[int, set[str]]:
    """Registered addresses per company."""
    addresses: dict[int, set[str]] = {company_id: set() for company_id in company_ids}
    if addresses:
        for company_id, email in session.exec(
                select(CompanyEmail.company_id, CompanyEmail.email)
                .where(col(CompanyEmail.company_id).in_(list(addresses)))):
            addresses[company_id].add(normalise_address(email))
    return addresses


def companies_of_address(session: Session, sender: str) -> list[int]:
    """The companies that registered this address (normally one)."""
    if not sender:
        return []
    return list(session.exec(
        select(CompanyEmail.company_id).distinct()
        .where(func.lower(CompanyEmail.email) == normalise_address(sender))).all())


def sender_history(session: Session, sender: str, now: datetime) -> tuple[int, bool]:
    """Messages of this sender handled in the last hour, and whether one told it the limit."""
    told = case((col(ProcessedEmail.reason) == ReplyProblem.RATE_LIMITED.value, 1), else_=0)
    count, rate_limited = session.exec(
        select(func.count(), func.coalesce(func.max(told), 0)).select_from(ProcessedEmail)
        .where(ProcessedEmail.sender == sender, ProcessedEmail.processed_at > now - HOUR)).one()
    return int(count), bool(rate_limited)


def processed(session: Session, mailbox: str, message_id: str) -> ProcessedEmail | None:
    """The record of a message already handled in this mailbox."""
    return session.exec(select(ProcessedEmail).where(
        ProcessedEmail.mailbox == mailbox, ProcessedEmail.message_id == message_id)).first()
