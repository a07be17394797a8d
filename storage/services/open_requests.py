"""A company's open information requests: what it still has to send, and by when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from core.information_requests import DocumentKind, RequestState
from core.serials import normalise_serial
from core.statuses import Status
from storage.tables import InformationRequest, Registration

SelectOfTwo = Select[Registration, InformationRequest]


@dataclass(frozen=True)
class OpenRequest:
    """One registration waiting for documents."""

    serial: str
    product_code: str
    due_on: date
    reference: str
    documents: tuple[DocumentKind, ...]


def _kinds(stored: str) -> tuple[DocumentKind, ...]:
    known = {kind.value for kind in DocumentKind}
    return tuple(DocumentKind(k) for k in stored.split(",") if k in known)


def _statement(company_id: int) -> SelectOfTwo:
    return (select(Registration, InformationRequest)
            .join(Registration, col(Registration.id) == InformationRequest.registration_id)
            .where(Registration.company_id == company_id,
                   Registration.status == Status.INFO_REQUIRED.value,
                   InformationRequest.state == RequestState.OPEN.value))


def company_open_requests(session: Session, company_id: int, *,
                          limit: int = 20) -> list[OpenRequest]:
    """The company's open requests, the most urgent first."""
    rows = session.exec(_statement(company_id)
                        .order_by(col(InformationRequest.due_on), col(InformationRequest.id))
                        .limit(limit))
    return [_open(registration, request) for registration, request in rows]


def open_request_for_serial(session: Session, company_id: int,
                            serial: str) -> OpenRequest | None:
    """The company's open request for ``serial``, if it has one."""
    row = session.exec(_statement(company_id)
                       .where(Registration.serial == normalise_serial(serial))).first()
    return _open(*row) if row else None


def _open(registration: Registration, request: InformationRequest) -> OpenRequest:
    return OpenRequest(registration.serial, registration.product_code, request.due_on,
                       request.reference, _kinds(request.documents_needed))
