"""Claiming outbox rows under a lease, and recording what became of them.

**Claiming.** A dispatcher takes one due row at a time: ``pending`` with ``next_attempt_at``
passed, or ``sending`` whose lease ran out (its worker died mid-send). The row is read with
``FOR UPDATE SKIP LOCKED`` (PostgreSQL: concurrent dispatchers take different rows without
waiting; SQLite serialises writers with ``BEGIN IMMEDIATE`` anyway) and switched to
``sending`` by a compare-and-set ``UPDATE ... WHERE id = ? AND <still due>``: if another
worker got there first, no row changes and we take the next one. So two workers never hold
the same row at once.

**Recording.** The claim also stores the row's ``Message-ID`` (derived from the outbox id,
kept once written) *before* anything is sent, and every later update is conditional on our
lease (``state = 'sending' AND lease_until = <ours>``), so a worker whose lease was taken
over cannot overwrite the newer worker's outcome.

**At-least-once, never silently twice.** SMTP cannot join our transaction: between "the
server accepted the message" and "the row says sent" a crash can always happen. We choose
record-then-send: a row is marked sent only after the server accepted it, so a crash in that
window makes the next worker (after the lease) send it again rather than lose it - with the
*same* Message-ID and the same bytes, which lets mail systems and our reply matcher treat
the two as one message. The alternative (mark sent, then send) would lose notifications on
every crash; a lost "your documents are due" costs an installer their cashback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, or_, update
from sqlmodel import col, select

from storage.outbox import EMAIL, OutboxState
from storage.tables import OutboxMessage
from storage.uow import UnitOfWork

CAS_RETRIES = 5
log = logging.getLogger("cashback.outbox")


@dataclass(frozen=True)
class Claim:
    """A row this worker holds until ``lease_until``; ``attempts`` includes this one."""

    id: int
    kind: str
    company_id: int
    topic: str
    payload: str
    created_at: datetime
    attempts: int
    lease_until: datetime
    message_id: str | None


def _due(due_by: datetime) -> ColumnElement[bool]:
    return or_(
        and_(col(OutboxMessage.state) == OutboxState.PENDING.value,
             col(OutboxMessage.next_attempt_at) <= due_by),
        and_(col(OutboxMessage.state) == OutboxState.SENDING.value,
             col(OutboxMessage.lease_until) < due_by),
    )


def claim_next(engine: Engine, *, due_by: datetime, now: datetime, lease: timedelta,
               message_id: Callable[[int], str],
               kinds: Collection[str] | None = None) -> Claim | None:
    """Take the oldest row due by ``due_by`` for ``lease``, or None when nothing is due.

    ``kinds`` limits the claim to some kinds (a worker serving only e-mail); by default a
    row of any kind is taken, so one of a kind nobody knows is declared dead, not forgotten.
    """
    for _ in range(CAS_RETRIES):
        with UnitOfWork(engine) as uow:
            query = select(OutboxMessage).where(_due(due_by))
            if kinds is not None:
                query = query.where(col(OutboxMessage.kind).in_(list(kinds)))
            row = uow.session.exec(
                query
                .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
                .limit(1)
                .with_for_update(skip_locked=True)).first()
            if row is None:
                return None
            assert row.id is not None
            until = now + lease
            recorded = row.message_id or (message_id(row.id) if row.kind == EMAIL else None)
            taken = uow.session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id, _due(due_by))
                .values(state=OutboxState.SENDING.value, lease_until=until,
                        attempts=col(OutboxMessage.attempts) + 1, message_id=recorded)
                .execution_options(synchronize_session=False))
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another worker took it between our read and our write
            uow.commit()
            return Claim(id=row.id, kind=row.kind, company_id=row.company_id, topic=row.topic,
                         payload=row.payload, created_at=row.created_at,
                         attempts=row.attempts + 1, lease_until=until, message_id=recorded)
    return None


def _finish(engine: Engine, claim: Claim, **values: Any) -> bool:
    """Apply ``values`` if we still hold the lease; False if another worker took over."""
    with UnitOfWork(engine) as uow:
        result = uow.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == claim.id,
                   col(OutboxMessage.state) == OutboxState.SENDING.value,
                   col(OutboxMessage.lease_until) == claim.lease_until)
            .values(**values)
            .execution_options(synchronize_session=False))
        uow.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("outbox %d: lease expired and taken over; outcome %s not recorded",
                    claim.id, values.get("state", "progress"))
        return False
    return True


def mark_sent(engine: Engine, claim: Claim, *, now: datetime, note: str | None = None) -> bool:
    """Delivered (``note``: recipients refused while others accepted, or why nobody)."""
    return _finish(engine, claim, state=OutboxState.SENT.value, sent_at=now, lease_until=None,
                   last_error=note)


def mark_retry(engine: Engine, claim: Claim, *, at: datetime, error: str) -> bool:
    """A temporary failure: due again at ``at``."""
    return _finish(engine, claim, state=OutboxState.PENDING.value, next_attempt_at=at,
                   lease_until=None, last_error=error)


def mark_dead(engine: Engine, claim: Claim, *, error: str) -> bool:
    """A permanent failure: left for an operator (``cashback outbox list|retry``)."""
    return _finish(engine, claim, state=OutboxState.DEAD.value, lease_until=None,
                   last_error=error)


def postpone(engine: Engine, claim: Claim, *, at: datetime, note: str) -> bool:
    """Not tried at all (e.g. the chat channel is not running): due again, attempt uncounted."""
    return _finish(engine, claim, state=OutboxState.PENDING.value, next_attempt_at=at,
                   lease_until=None, attempts=claim.attempts - 1, last_error=note)


def record_payload(engine: Engine, claim: Claim, payload: str) -> bool:
    """Save progress inside the row (chat: who already got it) while holding the lease."""
    return _finish(engine, claim, payload=payload)
