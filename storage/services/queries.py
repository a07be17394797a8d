"""Read-only answers: a company's summary, its devices, one serial's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from core.amounts import Summary, summarise
from core.statuses import Status
from storage.services.lookup import registration_by_serial
from storage.tables import Registration, StatusEvent

# Built once: /status runs it at every call, and building a statement costs more CPU than
# running this one.
_SUMMARY = (select(Registration.status, func.count(),
                   func.coalesce(func.sum(Registration.amount_cents), 0))
            .where(col(Registration.company_id) == bindparam("company_id"))
            .group_by(col(Registration.status)))


def company_summary(session: Session, company_id: int) -> Summary:
    """Count and amount per status, from one indexed GROUP BY."""
    rows = session.execute(_SUMMARY, {"company_id": company_id})
    return summarise((Status(status), count, Decimal(cents) / 100) for status, count, cents in rows)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a serial's audit trail."""

    at: datetime
    actor: str
    channel: str
    from_status: str | None
    to_status: str
    reason: str | None
    detail: str | None


def history(session: Session, campaign_code: str, serial: str,
            ) -> tuple[Registration, list[HistoryEntry]]:
    """A registration and every change it went through, oldest first."""
    registration = registration_by_serial(session, campaign_code, serial)
    events = session.exec(select(StatusEvent)
                          .where(StatusEvent.registration_id == registration.id)
                          .order_by(col(StatusEvent.at), col(StatusEvent.id)))
    return registration, [HistoryEntry(e.at, e.actor, e.channel, e.from_status, e.to_status,
                                       e.reason, e.detail) for e in events]


def company_registrations(session: Session, company_id: int, *, status: Status | None = None,
                          offset: int = 0, limit: int = 50) -> list[Registration]:
    """A page of a company's registrations, newest first."""
    statement = select(Registration).where(Registration.company_id == company_id)
    if status is not None:
        statement = statement.where(Registration.status == status.value)
    return list(session.exec(statement.order_by(col(Registration.registered_at).desc(),
                                                col(Registration.id).desc())
                             .offset(offset).limit(limit)))
