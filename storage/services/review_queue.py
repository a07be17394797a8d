"""What waits for the operator: registrations under review with the documents they came with."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.i18n import N_
from core.statuses import Status
from storage.documents import DocumentStore
from storage.masterdata import chunked
from storage.services.lookup import NotFound, registration_by_serial
from storage.tables import Company, Document, Registration, StatusEvent


@dataclass(frozen=True)
class ReviewDocument:
    """One received file: where its bytes are, what it is, who sent it and when."""

    id: int
    filename: str
    content_type: str
    size: int
    sender: str
    channel: str
    received_at: datetime
    sha256: str
    path: str


@dataclass(frozen=True)
class ReviewItem:
    """A registration under review, since when, for which company, with its documents."""

    registration_id: int
    campaign_code: str
    serial: str
    product_code: str
    amount_cents: int
    status: str
    customer_number: str
    company_name: str
    since: datetime
    documents: tuple[ReviewDocument, ...]


def under_review(session: Session, store: DocumentStore, *,
                 campaign_code: str | None = None) -> list[ReviewItem]:
    """Every registration under review, the one waiting longest first."""
    statement = (select(Registration, Company)
                 .join(Company, col(Company.id) == Registration.company_id)
                 .where(Registration.status == Status.UNDER_REVIEW.value))
    if campaign_code is not None:
        statement = statement.where(Registration.campaign_code == campaign_code)
    found = list(session.exec(statement.order_by(col(Registration.updated_at),
                                                 col(Registration.id))))
    return _items(session, store, found)


def review_item(session: Session, store: DocumentStore, *, campaign_code: str,
                serial: str) -> ReviewItem:
    """One registration (whatever its status) with every document it received."""
    registration = registration_by_serial(session, campaign_code, serial)
    return review_item_by_id(session, store, registration.id or 0)


def review_item_by_id(session: Session, store: DocumentStore,
                      registration_id: int) -> ReviewItem:
    """Like :func:`review_item`, for the registration id an operator's button carries."""
    row = session.exec(select(Registration, Company)
                       .join(Company, col(Company.id) == Registration.company_id)
                       .where(Registration.id == registration_id)).first()
    if row is None:
        raise NotFound(N_("No registration with id %(id)s."), id=registration_id)
    [item] = _items(session, store, [row])
    return item


def _items(session: Session, store: DocumentStore,
           rows: list[tuple[Registration, Company]]) -> list[ReviewItem]:
    ids = [registration.id for registration, _ in rows if registration.id is not None]
    documents: dict[int, list[ReviewDocument]] = defaultdict(list)
    since: dict[int, datetime] = {}
    for chunk in chunked(ids):
        for document in session.exec(select(Document)
                                     .where(col(Document.registration_id).in_(chunk))
                                     .order_by(col(Document.received_at), col(Document.id))):
            assert document.id is not None
            documents[document.registration_id].append(ReviewDocument(
                document.id, document.filename, document.content_type, document.size,
                document.sender, document.channel, document.received_at, document.sha256,
                str(store.path_for(document.sha256))))
        for registration_id, at in session.exec(
                select(StatusEvent.registration_id, StatusEvent.at)
                .where(col(StatusEvent.registration_id).in_(chunk))
                .order_by(col(StatusEvent.at), col(StatusEvent.id))):
            since[registration_id] = at  # the latest change: when the status was entered
    return [ReviewItem(
        registration_id=registration.id or 0, campaign_code=registration.campaign_code,
        serial=registration.serial, product_code=registration.product_code,
        amount_cents=registration.amount_cents, status=registration.status,
        customer_number=company.customer_number, company_name=company.name,
        since=since.get(registration.id or 0, registration.updated_at),
        documents=tuple(documents.get(registration.id or 0, ())))
        for registration, company in rows]
