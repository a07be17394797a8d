"""Retention: the files of documents are deleted some days after the registration is paid.

The document rows stay (what arrived, when, through which channel) and are marked
``purged_at``; a file shared with a registration that still needs it (the same invoice sent
for several devices) is kept. Rows are marked and committed first, files deleted after: a
crash in between leaves a file nobody needs, never a record whose file vanished while needed.
"""

from __future__ import annotations

import time
from datetime import date, datetime

from sqlmodel import col, select

from core.statuses import Status
from storage.documents import DocumentStore
from storage.tables import Document, Registration
from storage.uow import UnitOfWork


def purge_paid_documents(uow: UnitOfWork, *, store: DocumentStore, paid_on_or_before: date,
                         now: datetime) -> int:
    """Delete the files of documents of registrations paid on or before the day given."""
    started = time.time()
    session = uow.session
    documents = session.exec(
        select(Document).join(Registration, col(Registration.id) == Document.registration_id)
        .where(Registration.status == Status.PAID.value,
               col(Registration.paid_on) <= paid_on_or_before,
               col(Document.purged_at).is_(None))).all()
    if not documents:
        return 0
    for document in documents:
        document.purged_at = now
        session.add(document)
    digests = {document.sha256 for document in documents}
    still_needed = set(session.exec(
        select(Document.sha256).where(col(Document.sha256).in_(digests),
                                      col(Document.purged_at).is_(None))).all())
    uow.commit()
    for digest in sorted(digests - still_needed):
        store.discard(digest, unless_used_since=started)
    return len(documents)
