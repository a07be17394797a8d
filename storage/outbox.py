"""Notifications written in the same transaction as the change they announce."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlmodel import Session

from storage.tables import OutboxMessage

EMAIL = "email"
CHAT = "chat"


@dataclass(frozen=True)
class StatusChange:
    """One registration's change, as the e-mail and chat messages will tell it."""

    registration_id: int
    serial: str
    product_code: str
    from_status: str | None
    to_status: str
    amount_cents: int
    reason: str | None = None
    detail: str | None = None
    due_on: date | None = None
    reference: str | None = None


def notify_status_changes(session: Session, *, company_id: int, changes: Sequence[StatusChange],
                          now: datetime, topic: str = "status_changed") -> None:
    """Queue one e-mail and one chat notification for a company, however many changes.

    Many changes at once (a 500-row template) become one digest, not 500 messages.
    """
    if not changes:
        return
    payload = json.dumps({"changes": [asdict(change) for change in changes]}, default=str)
    for kind in (EMAIL, CHAT):
        session.add(OutboxMessage(kind=kind, company_id=company_id, topic=topic, payload=payload,
                                  created_at=now, next_attempt_at=now))
