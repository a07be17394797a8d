"""Receiving an e-mail reply: one transaction per message, on every supported database."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col
from storage_support import (
    INSTALLER,
    JPEG,
    PDF,
    SENDER,
    Lifecycle,
    count_rows,
    registration,
    rows,
    serials_from,
)

from core.campaign import Campaign
from core.replies import MessageKind, ReplyKeys, ReplyProblem
from core.statuses import Channel, Status
from storage.documents import DocumentStore
from storage.outbox import changes_in
from storage.services.registrations import ClaimInput, register_many
from storage.services.replies import (
    REPLY_REJECTED,
    IncomingReply,
    ReplyLimits,
    ReplyOutcome,
    ReplyResult,
    receive_reply,
)
from storage.services.review import IncomingDocument
from storage.tables import (
    Document,
    InformationRequest,
    OutboxMessage,
    ProcessedEmail,
    Registration,
    StatusEvent,
)
from storage.uow import UnitOfWork

MAILBOX = "cashback@imap.example/INBOX"
LIMITS = ReplyLimits(hourly=3, max_attachment_bytes=1_000_000, max_attachments=5)
INVOICE = IncomingDocument("invoice.pdf", "application/pdf", PDF)


def reference_of(engine: Engine, serial: str) -> str:
    found = registration(engine, serial)
    [request] = rows(engine, InformationRequest, InformationRequest.registration_id == found.id)
    return request.reference


def email_outbox_id(engine: Engine, reference: str) -> int:
    [row] = [r for r in rows(engine, OutboxMessage, OutboxMessage.kind == "email")
             if reference in r.payload]
    assert row.id is not None
    return row.id


NO_KEYS = ReplyKeys()


def reply(message_id: str = "<r1@installer.example>", *, sender: str = SENDER,
          keys: ReplyKeys = NO_KEYS, kind: MessageKind = MessageKind.PERSONAL,
          documents: tuple[IncomingDocument, ...] = (INVOICE,),
          problem: ReplyProblem | None = None) -> IncomingReply:
    return IncomingReply(mailbox=MAILBOX, message_id=message_id, sender=sender,
                         subject="Re: documents", kind=kind, keys=keys, documents=documents,
                         attachment_problem=problem)


def receive(engine: Engine, store: DocumentStore, incoming: IncomingReply, at: datetime,
            limits: ReplyLimits = LIMITS) -> ReplyResult:
    with UnitOfWork(engine) as uow:
        return receive_reply(uow, reply=incoming, store=store, limits=limits, now=at)


def answers(engine: Engine) -> list[dict[str, object]]:
    return [json.loads(r.payload) | {"company_id": r.company_id, "kind": r.kind}
            for r in rows(engine, OutboxMessage, OutboxMessage.topic == REPLY_REJECTED)]


def test_a_reply_to_a_digest_puts_every_registration_it_announced_under_review(
        engine: Engine, store: DocumentStore, fr_campaign: Campaign, companies: dict[str, int],
        now: datetime) -> None:
    serials = serials_from(fr_campaign, 3_800_000_000, 2, sampled=True)
    with UnitOfWork(engine) as uow:
        register_many(uow, campaign=fr_campaign, customer_number=INSTALLER, now=now,
                      claims=[ClaimInput(s, "STP-SE", now.date()) for s in serials],
                      channel=Channel.TEMPLATE, actor="chat:1")
    outbox_id = email_outbox_id(engine, reference_of(engine, serials[0]))
    before = count_rows(engine)

    result = receive(engine, store, reply(keys=ReplyKeys(outbox_ids=(outbox_id,)),
                                          documents=(INVOICE, IncomingDocument(
                                              "photo.jpg", "image/jpeg", JPEG))),
                     now + timedelta(days=1))

    assert (result.outcome, result.duplicate) == (ReplyOutcome.ACCEPTED, False)
    assert {c.serial for c in result.changes} == set(serials)
    assert all(registration(engine, s).status == Status.UNDER_REVIEW.value for s in serials)
    assert count_rows(engine) == {**before, "document": 4, "status_event": before[
        "status_event"] + 2, "processed_email": 1, "outbox_message": before[
        "outbox_message"] + 4}  # e-mail and chat to the company, one notice per device to operators
    acknowledgement = changes_in(rows(engine, OutboxMessage)[-1].payload)
    assert {c.serial for c in acknowledgement} == set(serials)
    [record] = rows(engine, ProcessedEmail)
    assert (record.mailbox, record.message_id, record.sender, record.outcome, record.reason) == (
        MAILBOX, "<r1@installer.example>", SENDER, "accepted", None)


def test_the_same_message_a_second_time_changes_nothing(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.info_required()
    incoming = reply(keys=ReplyKeys(subject_reference=reference_of(engine, serial)))
    receive(engine, store, incoming, now)
    before = count_rows(engine)

    again = receive(engine, store, incoming, now + timedelta(minutes=5))

    assert (again.outcome, again.duplicate) == (ReplyOutcome.ACCEPTED, True)
    assert count_rows(engine) == before


def test_the_same_message_in_another_mailbox_is_another_message(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.info_required()
    keys = ReplyKeys(subject_reference=reference_of(engine, serial))
    receive(engine, store, reply(keys=keys), now)

    other = receive(engine, store, IncomingReply(**{**reply(keys=keys).__dict__,
                                                    "mailbox": "other/INBOX"}), now)

    assert (other.duplicate, other.reason) == (False, ReplyProblem.NOT_WAITING.value)


def test_two_pollers_receiving_the_same_message_at_once_record_it_once(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.info_required()
    incoming = reply(keys=ReplyKeys(subject_reference=reference_of(engine, serial)))
    barrier = threading.Barrier(2)
    results: list[ReplyResult | BaseException] = []

    def poller() -> None:
        barrier.wait(timeout=60)
        try:
            results.append(receive(engine, store, incoming, now))
        except BaseException as error:  # noqa: BLE001 - reported to the test
            results.append(error)

    threads = [threading.Thread(target=poller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(r.duplicate for r in results if isinstance(r, ReplyResult)) == [False, True]
    assert len(rows(engine, Document)) == 1
    assert len(rows(engine, StatusEvent, StatusEvent.to_status == "under_review")) == 1


def test_a_stranger_using_a_valid_reference_is_refused_and_the_company_is_told(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, company_id: int,
        now: datetime) -> None:
    serial = lifecycle.info_required()
    reference = reference_of(engine, serial)
    before = count_rows(engine)

    result = receive(engine, store, reply(sender="billing@stranger.example",
                                          keys=ReplyKeys(address_references=(reference,))), now)

    assert (result.outcome, result.reason, result.answered) == (
        ReplyOutcome.REFUSED, "stranger", (company_id,))
    assert registration(engine, serial).status == Status.INFO_REQUIRED.value
    assert count_rows(engine) == {**before, "processed_email": 1,
                                  "outbox_message": before["outbox_message"] + 1}
    [answer] = answers(engine)
    assert answer == {
        "reason": "stranger", "message_id": "<r1@installer.example>", "subject": "Re: documents",
        "sender": "billing@stranger.example", "received_at": now.isoformat(),
        "references": [reference], "serials": [serial], "files": [],
        "max_attachment_bytes": 1_000_000, "max_attachments": 5, "company_id": company_id,
        "kind": "email"}


def test_documents_for_a_request_already_fulfilled_change_nothing(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.under_review()
    [request] = rows(engine, InformationRequest)
    before = count_rows(engine)

    result = receive(engine, store, reply(keys=ReplyKeys(subject_reference=request.reference)),
                     now + timedelta(days=3))

    assert result.reason == ReplyProblem.NOT_WAITING.value
    assert registration(engine, serial).status == Status.UNDER_REVIEW.value
    assert count_rows(engine)["document"] == before["document"]


def test_an_unknown_reference_is_answered_only_when_the_sender_is_registered(
        engine: Engine, store: DocumentStore, companies: dict[str, int], now: datetime) -> None:
    keys = ReplyKeys(subject_reference="0FFFFFFFFFFF", outbox_ids=(424242,))

    known = receive(engine, store, reply("<a@x>", keys=keys), now)
    unknown = receive(engine, store, reply("<b@x>", sender="who@nowhere.example", keys=keys),
                      now)

    assert (known.reason, known.answered) == ("unknown_reference", (companies[INSTALLER],))
    assert (unknown.reason, unknown.answered) == ("unknown_reference", ())
    assert [a["company_id"] for a in answers(engine)] == [companies[INSTALLER]]


@pytest.mark.parametrize("problem", [ReplyProblem.NO_DOCUMENT, ReplyProblem.WRONG_TYPE,
                                     ReplyProblem.TOO_BIG, ReplyProblem.TOO_MANY])
def test_a_file_problem_is_answered_and_changes_no_registration(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, now: datetime,
        problem: ReplyProblem) -> None:
    serial = lifecycle.info_required()

    result = receive(engine, store, reply(keys=ReplyKeys(subject_reference=reference_of(
        engine, serial)), documents=(), problem=problem), now)

    assert (result.outcome, result.reason) == (ReplyOutcome.REFUSED, problem.value)
    assert registration(engine, serial).status == Status.INFO_REQUIRED.value
    assert [a["reason"] for a in answers(engine)] == [problem.value]


@pytest.mark.parametrize("kind", [MessageKind.AUTO_REPLY, MessageKind.BOUNCE, MessageKind.LIST])
def test_automatic_messages_are_recorded_and_nothing_else(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, now: datetime,
        kind: MessageKind) -> None:
    serial = lifecycle.info_required()
    before = count_rows(engine)

    result = receive(engine, store, reply(kind=kind, keys=ReplyKeys(
        subject_reference=reference_of(engine, serial))), now)

    assert (result.outcome, result.reason, result.quarantine) == (ReplyOutcome.IGNORED,
                                                                  kind.value, True)
    assert count_rows(engine) == {**before, "processed_email": 1}


def test_a_sender_over_the_hourly_limit_is_told_once_then_served_again_an_hour_later(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, now: datetime) -> None:
    serials = [lifecycle.info_required() for _ in range(5)]
    keys = [ReplyKeys(subject_reference=reference_of(engine, s)) for s in serials]
    at = now + timedelta(days=1)

    first = [receive(engine, store, reply(f"<m{i}@x>", keys=keys[i]), at + timedelta(minutes=i))
             for i in range(5)]
    later = receive(engine, store, reply("<m5@x>", keys=keys[4]), at + timedelta(minutes=62))

    assert [(r.outcome.value, r.reason, bool(r.answered)) for r in first] == [
        ("accepted", None, False)] * 3 + [("refused", "rate_limited", True),
                                          ("refused", "rate_limited", False)]
    assert (later.outcome, registration(engine, serials[4]).status) == (
        ReplyOutcome.ACCEPTED, Status.UNDER_REVIEW.value)
    assert [a["reason"] for a in answers(engine)] == ["rate_limited"]
    assert registration(engine, serials[3]).status == Status.INFO_REQUIRED.value


def test_the_message_id_outranks_the_plus_address_and_the_subject(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, now: datetime) -> None:
    by_id, by_address, by_subject = (lifecycle.info_required() for _ in range(3))
    keys = ReplyKeys(outbox_ids=(email_outbox_id(engine, reference_of(engine, by_id)),),
                     address_references=(reference_of(engine, by_address),),
                     subject_reference=reference_of(engine, by_subject))

    receive(engine, store, reply(keys=keys), now)

    statuses = {s: registration(engine, s).status for s in (by_id, by_address, by_subject)}
    assert statuses == {by_id: "under_review", by_address: "info_required",
                        by_subject: "info_required"}
    assert rows(engine, Registration, col(Registration.status) == "under_review")


def test_a_corrected_reply_to_our_refusal_finds_the_request_again(
        engine: Engine, store: DocumentStore, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.info_required()
    receive(engine, store, reply("<first@x>", documents=(), problem=ReplyProblem.NO_DOCUMENT,
                                 keys=ReplyKeys(subject_reference=reference_of(engine, serial))),
            now)
    [refusal] = rows(engine, OutboxMessage, OutboxMessage.topic == REPLY_REJECTED)
    assert refusal.id is not None

    result = receive(engine, store, reply("<second@x>", keys=ReplyKeys(
        outbox_ids=(refusal.id,))), now + timedelta(hours=2))

    assert result.outcome is ReplyOutcome.ACCEPTED
    assert registration(engine, serial).status == Status.UNDER_REVIEW.value
