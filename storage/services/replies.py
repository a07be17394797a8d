"""Receiving an e-mail reply: its documents, the registrations under review, or a refusal.

One message, one transaction: the processed-email record, the documents of every registration
the reply answers, their status changes and acknowledgement, or the answer explaining a
refusal, commit together. The record is inserted first and is unique per mailbox and
Message-ID, so a second pass (after a crash before the IMAP move, or by a second poller) is
a no-op that only reports where the message belongs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from core.replies import (
    Decision,
    MessageKind,
    ReplyFacts,
    ReplyKeys,
    ReplyProblem,
    decide,
    sender_is_registered,
)
from core.statuses import Channel
from storage.documents import DocumentStore
from storage.outbox import EMAIL, StatusChange, notify_status_changes
from storage.services.reply_lookup import (
    NamedRequest,
    companies_of_address,
    company_addresses,
    named_requests,
    processed,
    sender_history,
)
from storage.services.review import IncomingDocument, attach_documents
from storage.tables import OutboxMessage, ProcessedEmail
from storage.uow import UnitOfWork

REPLY_REJECTED = "reply_rejected"


class ReplyOutcome(StrEnum):
    """Where a message ends up: used, refused (answered or not), or ignored as automatic."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    IGNORED = "ignored"


@dataclass(frozen=True)
class IncomingReply:
    """One received message, parsed, as the reply use case needs it."""

    mailbox: str
    message_id: str
    sender: str
    subject: str
    kind: MessageKind
    keys: ReplyKeys
    documents: tuple[IncomingDocument, ...] = ()
    attachment_problem: ReplyProblem | None = None
    offending: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReplyLimits:
    """The per-sender budget and the file limits quoted in answers."""

    hourly: int
    max_attachment_bytes: int
    max_attachments: int


@dataclass(frozen=True)
class ReplyResult:
    """What happened; ``duplicate`` means an earlier pass already handled the message."""

    outcome: ReplyOutcome
    reason: str | None = None
    duplicate: bool = False
    changes: tuple[StatusChange, ...] = ()
    answered: tuple[int, ...] = field(default=())

    @property
    def quarantine(self) -> bool:
        """The message goes to the quarantine folder, not the processed one."""
        return self.outcome is not ReplyOutcome.ACCEPTED


def receive_reply(uow: UnitOfWork, *, reply: IncomingReply, store: DocumentStore,
                  limits: ReplyLimits, now: datetime) -> ReplyResult:
    """Judge one reply and write everything it causes in one transaction."""
    result = record_reply(uow, reply=reply, store=store, limits=limits, now=now)
    uow.commit()
    return result


def record_reply(uow: UnitOfWork, *, reply: IncomingReply, store: DocumentStore,
                 limits: ReplyLimits, now: datetime) -> ReplyResult:
    """Judge one reply and write what it causes, leaving the commit to the caller.

    Several replies may share one transaction (the poller commits a group at once, which
    saves a disk flush per message); each is recorded as if alone, and a message already
    handled is recognised inside a savepoint without disturbing the others.
    """
    session = uow.session
    record = ProcessedEmail(mailbox=reply.mailbox, message_id=reply.message_id,
                            sender=reply.sender[:254], processed_at=now,
                            outcome=ReplyOutcome.IGNORED.value)
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()  # a second pass, or a concurrent one, on the same message stops here
    except IntegrityError:
        earlier = processed(session, reply.mailbox, reply.message_id)
        assert earlier is not None
        return _duplicate(earlier)
    handled, told = sender_history(session, record.sender, now)
    sent = handled - 1  # this message's own record is already counted
    personal = reply.kind is MessageKind.PERSONAL
    named = named_requests(session, reply.keys) if personal else []
    addresses = company_addresses(session, {n.registration.company_id for n in named})
    own = [n for n in named
           if sender_is_registered(reply.sender, addresses[n.registration.company_id])]
    decision = decide(ReplyFacts(
        kind=reply.kind, sent_this_hour=sent, told_rate_limited=told,
        requests_found=bool(named), sender_registered=bool(own),
        requests_waiting=any(n.waiting for n in own),
        attachment_problem=reply.attachment_problem), hourly_limit=limits.hourly)
    if decision is None:
        record.reason = reply.kind.value
        result = ReplyResult(ReplyOutcome.IGNORED, reply.kind.value)
    elif decision.accepted:
        result = _accept(uow, reply, [n for n in own if n.waiting], store, now)
    else:
        result = _refuse(uow, reply, decision, named, own, limits, now)
    record.outcome, record.reason = result.outcome.value, result.reason
    session.add(record)
    return result


def _duplicate(earlier: ProcessedEmail) -> ReplyResult:
    return ReplyResult(ReplyOutcome(earlier.outcome), earlier.reason, duplicate=True)


def _accept(uow: UnitOfWork, reply: IncomingReply, waiting: list[NamedRequest],
            store: DocumentStore, now: datetime) -> ReplyResult:
    assert reply.documents, "an accepted reply carries documents"
    per_company: dict[int, list[StatusChange]] = {}
    for named in waiting:
        change = attach_documents(uow.session, store=store, registration=named.registration,
                                  documents=reply.documents, sender=reply.sender,
                                  channel=Channel.EMAIL, now=now, request=named.request)
        per_company.setdefault(named.registration.company_id, []).append(change)
    for company_id, changes in per_company.items():
        notify_status_changes(uow.session, company_id=company_id, changes=changes, now=now)
    return ReplyResult(ReplyOutcome.ACCEPTED,
                       changes=tuple(c for changes in per_company.values() for c in changes))


def _refuse(uow: UnitOfWork, reply: IncomingReply, decision: Decision,
            named: list[NamedRequest], own: list[NamedRequest], limits: ReplyLimits,
            now: datetime) -> ReplyResult:
    """Record the refusal and queue the answer to the company's registered addresses.

    The answer never goes to an address we do not know: ``From`` can be forged, and
    answering it would make us a relay for unwanted mail. A stranger's reply is reported to
    the company whose request it named; a message naming no request is answered only when it
    comes from a registered address.
    """
    assert decision.problem is not None
    about = own or named
    companies = list(dict.fromkeys(n.registration.company_id for n in about)) or \
        companies_of_address(uow.session, reply.sender)[:1]
    if decision.answer:
        for company_id in companies:
            uow.session.add(OutboxMessage(
                kind=EMAIL, company_id=company_id, topic=REPLY_REJECTED, created_at=now,
                next_attempt_at=now, payload=_answer_payload(reply, decision.problem, [
                    n for n in about if n.registration.company_id == company_id], limits, now)))
    return ReplyResult(ReplyOutcome.REFUSED, decision.problem.value,
                       answered=tuple(companies) if decision.answer else ())


def _answer_payload(reply: IncomingReply, problem: ReplyProblem, about: list[NamedRequest],
                    limits: ReplyLimits, now: datetime) -> str:
    return json.dumps({
        "reason": problem.value,
        "message_id": reply.message_id if reply.message_id.startswith("<") else None,
        "subject": reply.subject[:300],
        "sender": reply.sender,
        "received_at": now.isoformat(),
        "references": [n.request.reference for n in about],
        "serials": [n.registration.serial for n in about],
        "files": list(reply.offending),
        "max_attachment_bytes": limits.max_attachment_bytes,
        "max_attachments": limits.max_attachments,
    })
