"""Documents received for an information request: stored by content, then under review."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from storage_support import (
    JPEG,
    PDF,
    SENDER,
    Lifecycle,
    count_rows,
    registration,
    rows,
)

from core.campaign import Campaign
from core.statuses import Channel, IllegalTransition, Status
from storage.documents import DocumentStore
from storage.outbox import changes_in
from storage.services.lookup import NotFound
from storage.services.review import IncomingDocument, record_documents
from storage.tables import Document, InformationRequest, OutboxMessage, StatusEvent
from storage.uow import UnitOfWork


def _record(engine: Engine, store: DocumentStore, campaign: Campaign, serial: str,
            documents: list[IncomingDocument], at: datetime) -> None:
    with UnitOfWork(engine) as uow:
        record_documents(uow, store=store, campaign=campaign, serial=serial,
                         documents=documents, sender=SENDER, channel=Channel.EMAIL, now=at)


def _stored_files(store: DocumentStore) -> list[str]:
    if not store.root.exists():
        return []
    return sorted(path.name for path in store.root.rglob("*") if path.is_file())


def test_documents_put_the_registration_under_review_and_fulfil_the_request(
        engine: Engine, store: DocumentStore, fr_campaign: Campaign, lifecycle: Lifecycle,
        company_id: int, now: datetime) -> None:
    serial = lifecycle.info_required()
    before = count_rows(engine)
    at = now + timedelta(days=3)

    _record(engine, store, fr_campaign, serial,
            [IncomingDocument("invoice.pdf", "application/pdf", PDF)], at)

    found = registration(engine, serial)
    assert found.status == Status.UNDER_REVIEW.value
    assert found.updated_at == at
    [request] = rows(engine, InformationRequest)
    assert (request.state, request.closed_at) == ("fulfilled", at)
    event = rows(engine, StatusEvent)[-1]
    assert (event.from_status, event.to_status, event.actor, event.channel) == (
        "info_required", "under_review", SENDER, "email")
    [document] = rows(engine, Document)
    assert (document.registration_id, document.request_id) == (found.id, request.id)
    assert (document.filename, document.content_type, document.size) == (
        "invoice.pdf", "application/pdf", len(PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    queued = rows(engine, OutboxMessage)[before["outbox_message"]:]
    # The company's acknowledgement (e-mail and chat) and the operators' notice.
    assert sorted(n.kind for n in queued) == ["chat", "email", "operator"]
    assert {n.company_id for n in queued} == {company_id}
    [notice] = [n for n in queued if n.kind == "operator"]
    assert json.loads(notice.payload) == {"registration_id": found.id}
    [change] = changes_in(next(n for n in queued if n.kind == "email").payload)
    assert (change.serial, change.to_status) == (serial, "under_review")


def test_documents_are_stored_by_their_hash_and_the_same_content_only_once(
        engine: Engine, store: DocumentStore, fr_campaign: Campaign, lifecycle: Lifecycle,
        now: datetime) -> None:
    first, second = lifecycle.info_required(), lifecycle.info_required()
    invoice = IncomingDocument("invoice.pdf", "application/pdf", PDF)
    copy = IncomingDocument("invoice (1).pdf", "application/pdf", PDF)
    photo = IncomingDocument("photo.jpg", "image/jpeg", JPEG)

    _record(engine, store, fr_campaign, first, [invoice, copy, photo], now)
    _record(engine, store, fr_campaign, second, [invoice], now)

    pdf_hash, jpeg_hash = hashlib.sha256(PDF).hexdigest(), hashlib.sha256(JPEG).hexdigest()
    assert _stored_files(store) == sorted([pdf_hash, jpeg_hash])
    assert store.path_for(pdf_hash).read_bytes() == PDF
    assert store.read(jpeg_hash) == JPEG
    assert [d.sha256 for d in rows(engine, Document)] == [pdf_hash, pdf_hash, jpeg_hash,
                                                         pdf_hash]


@pytest.mark.parametrize("status", [Status.PENDING_PAYMENT, Status.UNDER_REVIEW, Status.PAID,
                                    Status.INELIGIBLE])
def test_documents_for_a_registration_not_waiting_for_them_are_refused_and_change_nothing(
        engine: Engine, store: DocumentStore, fr_campaign: Campaign, lifecycle: Lifecycle,
        status: Status, now: datetime) -> None:
    serial = lifecycle.in_status(status)
    files_before = _stored_files(store)
    before = count_rows(engine)

    with pytest.raises(IllegalTransition):
        _record(engine, store, fr_campaign, serial,
                [IncomingDocument("late.pdf", "application/pdf", PDF + b"late")],
                now + timedelta(days=20))

    assert count_rows(engine) == before
    assert registration(engine, serial).status == status.value
    assert _stored_files(store) == files_before


def test_documents_for_an_unknown_serial_are_not_found(
        engine: Engine, store: DocumentStore, fr_campaign: Campaign, lifecycle: Lifecycle,
        now: datetime) -> None:
    with pytest.raises(NotFound):
        _record(engine, store, fr_campaign, "3999999999",
                [IncomingDocument("invoice.pdf", "application/pdf", PDF)], now)


def test_a_message_without_documents_changes_nothing(
        engine: Engine, store: DocumentStore, fr_campaign: Campaign, lifecycle: Lifecycle,
        now: datetime) -> None:
    serial = lifecycle.info_required()
    before = count_rows(engine)

    with pytest.raises(ValueError, match="no documents"):
        _record(engine, store, fr_campaign, serial, [], now)

    assert count_rows(engine) == before
    assert registration(engine, serial).status == Status.INFO_REQUIRED.value
