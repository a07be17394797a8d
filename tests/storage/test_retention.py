"""Retention: documents' files are deleted some days after payment, rows kept and marked."""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from storage_support import PDF, SENDER, Lifecycle, registration, rows

from core.campaign import Campaign
from core.statuses import Channel
from storage.documents import DocumentStore
from storage.services.payments import PaymentLine, PaymentOutcome, record_payments
from storage.services.retention import purge_paid_documents
from storage.services.review import IncomingDocument, approve, record_documents
from storage.tables import Document
from storage.uow import UnitOfWork

PAID_ON = date(2026, 7, 1)


def approved_and_paid(engine: Engine, campaign: Campaign, lifecycle: Lifecycle, now: datetime,
                      paid_on: date) -> str:
    serial = lifecycle.under_review()
    pay(engine, campaign, serial, now, paid_on)
    return serial


def pay(engine: Engine, campaign: Campaign, serial: str, now: datetime,
        paid_on: date = PAID_ON) -> None:
    """Approve the registration under review, then record its payment on ``paid_on``."""
    with UnitOfWork(engine) as uow:
        approve(uow, campaign=campaign, serial=serial, operator="operator:anne",
                now=now + timedelta(days=3))
    with UnitOfWork(engine) as uow:
        [paid] = record_payments(uow, campaign=campaign, operator="operator:anne",
                                 lines=[PaymentLine(serial, f"PAY-{serial}", paid_on)],
                                 now=now + timedelta(days=20))
    assert paid.outcome is PaymentOutcome.PAID


def documents_of(engine: Engine, serial: str) -> list[Document]:
    return rows(engine, Document, Document.registration_id == registration(engine, serial).id)


def purge(engine: Engine, store: DocumentStore, day: date, now: datetime) -> int:
    with UnitOfWork(engine) as uow:
        return purge_paid_documents(uow, store=store, paid_on_or_before=day, now=now)


def test_files_of_documents_paid_long_enough_ago_are_deleted_and_rows_marked(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, store: DocumentStore,
        now: datetime) -> None:
    serial = lifecycle.info_required()
    with UnitOfWork(engine) as uow:
        record_documents(uow, store=store, campaign=fr_campaign, serial=serial,
                         documents=[IncomingDocument("invoice.pdf", "application/pdf", PDF),
                                    IncomingDocument("photo.pdf", "application/pdf",
                                                     PDF + b"% photo\n")],
                         sender=SENDER, channel=Channel.CHAT, now=now + timedelta(days=2))
    pay(engine, fr_campaign, serial, now)
    paths = [store.path_for(d.sha256) for d in documents_of(engine, serial)]
    assert len(paths) == 2
    assert all(path.exists() for path in paths)
    for path in paths:  # received weeks ago, not just now
        os.utime(path, (time.time() - 3600, time.time() - 3600))

    later = now + timedelta(days=60)
    assert purge(engine, store, PAID_ON - timedelta(days=1), later) == 0
    assert purge(engine, store, PAID_ON, later) == 2

    assert not any(path.exists() for path in paths)
    assert all(d.purged_at == later for d in documents_of(engine, serial))
    assert purge(engine, store, PAID_ON, later) == 0  # once only


def test_a_file_another_registration_still_needs_is_kept(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, store: DocumentStore,
        now: datetime) -> None:
    paid = approved_and_paid(engine, fr_campaign, lifecycle, now, PAID_ON)
    waiting = lifecycle.under_review()  # the same invoice, for a device not paid yet
    [shared] = {d.sha256 for d in documents_of(engine, paid) + documents_of(engine, waiting)}

    assert purge(engine, store, PAID_ON, now + timedelta(days=60)) == 1

    assert store.path_for(shared).exists()
    assert documents_of(engine, paid)[0].purged_at is not None
    assert documents_of(engine, waiting)[0].purged_at is None
    assert store.read(shared) == PDF


def test_a_file_stored_again_while_being_purged_survives(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, store: DocumentStore,
        now: datetime) -> None:
    serial = approved_and_paid(engine, fr_campaign, lifecycle, now, PAID_ON)
    [document] = documents_of(engine, serial)
    path = store.path_for(document.sha256)
    os.utime(path, (time.time() - 3600, time.time() - 3600))
    started = time.time()

    store.put(PDF)  # the same invoice arrives again for another device, just now

    assert store.discard(document.sha256, unless_used_since=started) is False
    assert path.read_bytes() == PDF
    assert store.discard(document.sha256, unless_used_since=time.time() + 10) is True
    assert not path.exists()
