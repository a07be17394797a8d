"""A company's open information requests: what it still has to send, and by when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, bindparam, select
from sqlmodel import Session, col

from core.information_requests import DocumentKind, RequestState
from core.serials import normalise_serial
from core.statuses import Status
from storage.tables import InformationRequest, Registration

# Plain columns, not ORM objects: /status shows these on every call (see BENCHMARKS.md).
_COLUMNS = (Registration.serial, Registration.product_code, InformationRequest.due_on,
            InformationRequest.reference, InformationRequest.documents_needed)


@dataclass(frozen=True)
class OpenRequest:
    """One registration waiting for documents."""

    serial: str
    product_code: str
    due_on: date
    reference: str
    documents: tuple[DocumentKind, ...]


_KINDS = {kind.value: kind for kind in DocumentKind}


def _kinds(stored: str) -> tuple[DocumentKind, ...]:
    return tuple(_KINDS[k] for k in stored.split(",") if k in _KINDS)


def _statement() -> Select[*tuple[Any, ...]]:
    return (select(*(col(column) for column in _COLUMNS))
            .select_from(InformationRequest)
            .join(Registration, col(Registration.id) == InformationRequest.registration_id)
            .where(col(Registration.company_id) == bindparam("company_id"),
                   col(Registration.status) == Status.INFO_REQUIRED.value,
                   col(InformationRequest.state) == RequestState.OPEN.value))


# Built once: building a statement costs more CPU than running it.
_MOST_URGENT = (_statement().order_by(col(InformationRequest.due_on), col(InformationRequest.id))
                .limit(bindparam("limit", type_=Integer)))
_FOR_SERIAL = _statement().where(col(Registration.serial) == bindparam("serial"))


def company_open_requests(session: Session, company_id: int, *,
                          limit: int = 20) -> list[OpenRequest]:
    """The company's open requests, the most urgent first."""
    rows = session.execute(_MOST_URGENT, {"company_id": company_id, "limit": limit})
    return [_open(*row) for row in rows]


def open_request_for_serial(session: Session, company_id: int,
                            serial: str) -> OpenRequest | None:
    """The company's open request for ``serial``, if it has one."""
    row = session.execute(_FOR_SERIAL, {"company_id": company_id,
                                        "serial": normalise_serial(serial)}).first()
    return _open(*row) if row else None


def _open(serial: str, product_code: str, due_on: date, reference: str,
          documents_needed: str) -> OpenRequest:
    return OpenRequest(serial, product_code, due_on, reference, _kinds(documents_needed))
