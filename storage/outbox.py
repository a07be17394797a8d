"""Notifications written in the same transaction as the change they announce.

An outbox row goes ``pending`` -> ``sending`` (claimed by one dispatcher, under a lease) ->
``sent``, or back to ``pending`` with a later ``next_attempt_at`` after a temporary failure,
or to ``dead`` after a permanent one (an operator can put it back). See :mod:`bot.outbox`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlmodel import Session

from storage.tables import OutboxMessage

EMAIL = "email"
CHAT = "chat"
# A notice for the campaign's operators (their Telegram group), not for the company.
OPERATOR = "operator"
DOCUMENTS_RECEIVED = "documents_received"
# Payload keys of a chat row: the Telegram users already served, and those who cannot be
# (blocked the bot), so a retry after another user's failure skips both.
DELIVERED_TO = "delivered_to"
REFUSED_BY = "refused_by"


class OutboxState(StrEnum):
    """Where a notification is in its delivery."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


class StatusChange(NamedTuple):
    """One registration's change, as the e-mail and chat messages will tell it.

    A named tuple rather than a frozen dataclass: an import of 10,000 rows builds 10,000 of
    them, and a tuple is built three times faster.
    """

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


_FIELDS = StatusChange._fields
_ENCODED_AT_ONCE = 1000
_ENCODE = json.JSONEncoder(default=str).encode


def notify_status_changes(session: Session, *, company_id: int, changes: Sequence[StatusChange],
                          now: datetime, topic: str = "status_changed") -> None:
    """Queue one e-mail and one chat notification for a company, however many changes.

    Many changes at once (a 500-row template) become one digest, not 500 messages.
    """
    if not changes:
        return
    # The field names once, then one JSON array per change: half the bytes of an object per
    # change (an import's digest is stored twice, for e-mail and chat), and each change is a
    # tuple the C encoder writes without a dict being built. Encoded a thousand at a time:
    # the same text as one json.dumps, without a second copy of 100,000 changes at once.
    payload = ('{"fields": ' + _ENCODE(_FIELDS) + ', "changes": [' + ", ".join(
        _ENCODE(changes[start:start + _ENCODED_AT_ONCE])[1:-1]
        for start in range(0, len(changes), _ENCODED_AT_ONCE)) + "]}")
    for kind in (EMAIL, CHAT):
        session.add(OutboxMessage(kind=kind, company_id=company_id, topic=topic, payload=payload,
                                  created_at=now, next_attempt_at=now))


def changes_in(payload: str | dict[str, Any]) -> list[StatusChange]:
    """The changes an outbox row announces, read back from its JSON payload.

    Rows queued before the digest was written in columns hold one object per change.
    """
    document = json.loads(payload) if isinstance(payload, str) else payload
    fields = document.get("fields")
    changes = []
    for item in document.get("changes", []):
        values = dict(zip(fields, item, strict=True)) if fields else item
        due_on = values.get("due_on")
        changes.append(StatusChange(**{**values, "due_on": date.fromisoformat(due_on)
                                       if due_on else None}))
    return changes


def payload_references(document: Mapping[str, Any]) -> list[str]:
    """The information request references a payload names: its changes', then its own list.

    Reads any payload, ours in either layout or not: reply matching looks at whatever
    outbox row a reply points to. (Our answer to an unusable reply lists the references it
    was about under ``references``.)
    """
    fields, items = document.get("fields"), document.get("changes")
    values: list[Any] = []
    if isinstance(items, list):
        if isinstance(fields, list) and "reference" in fields:
            at = fields.index("reference")
            values = [item[at] for item in items if isinstance(item, list) and len(item) > at]
        else:
            values = [item.get("reference") for item in items if isinstance(item, dict)]
    own = document.get("references")
    if isinstance(own, list):
        values.extend(own)
    return [value for value in values if isinstance(value, str) and value]


def notify_operators(session: Session, *, company_id: int, registration_id: int,
                     now: datetime) -> None:
    """Queue the operators' notice that a registration's documents arrived for review.

    Written with the documents, so the notice survives a crash; the dispatcher delivers it to
    the operators' chat with its decision buttons (or records that none is configured).
    """
    session.add(OutboxMessage(kind=OPERATOR, company_id=company_id, topic=DOCUMENTS_RECEIVED,
                              payload=json.dumps({"registration_id": registration_id}),
                              created_at=now, next_attempt_at=now))
