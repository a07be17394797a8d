"""The operator's view of the outbox: what is stuck or waiting, and putting rows back.

A dead row stays dead until someone acts: after fixing the cause (an address corrected,
the SMTP credentials renewed) the operator puts it back with ``cashback outbox retry``.
Putting back starts its retry budget afresh and makes it due at once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import col, select

from storage.outbox import OutboxState
from storage.tables import Company, OutboxMessage
from storage.uow import UnitOfWork

UNSENT = (OutboxState.DEAD, OutboxState.PENDING, OutboxState.SENDING)


@dataclass(frozen=True)
class OutboxRow:
    """One notification as the operator sees it."""

    id: int
    kind: str
    customer_number: str
    topic: str
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_error: str | None


@dataclass
class RetryResult:
    """Which rows were put back, and why the others were not."""

    requeued: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    already_sent: list[int] = field(default_factory=list)
    in_progress: list[int] = field(default_factory=list)


def list_rows(engine: Engine, states: Collection[OutboxState] = UNSENT,
              limit: int = 500) -> list[OutboxRow]:
    """Rows in ``states``, dead ones first, then the oldest."""
    order = {state.value: index for index, state in enumerate(UNSENT)}
    with UnitOfWork(engine) as uow:
        found = uow.session.exec(
            select(OutboxMessage, Company.customer_number)
            .join(Company, col(Company.id) == OutboxMessage.company_id)
            .where(col(OutboxMessage.state).in_([s.value for s in states]))
            .order_by(col(OutboxMessage.id)).limit(limit)).all()
    rows = [OutboxRow(id=row.id or 0, kind=row.kind, customer_number=number, topic=row.topic,
                      state=row.state, attempts=row.attempts, created_at=row.created_at,
                      next_attempt_at=row.next_attempt_at, last_error=row.last_error)
            for row, number in found]
    return sorted(rows, key=lambda row: (order.get(row.state, len(order)), row.id))


def retry(engine: Engine, *, now: datetime, ids: Sequence[int] = (),
          all_dead: bool = False) -> RetryResult:
    """Make dead (or waiting) rows due now with a fresh retry budget."""
    result = RetryResult()
    with UnitOfWork(engine) as uow:
        query = select(OutboxMessage).with_for_update()
        if all_dead:
            query = query.where(OutboxMessage.state == OutboxState.DEAD.value)
        else:
            query = query.where(col(OutboxMessage.id).in_(list(ids)))
        rows = {row.id: row for row in uow.session.exec(query) if row.id is not None}
        for wanted in (sorted(rows) if all_dead else ids):
            row = rows.get(wanted)
            if row is None:
                result.unknown.append(wanted)
            elif row.state == OutboxState.SENT.value:
                result.already_sent.append(wanted)
            elif (row.state == OutboxState.SENDING.value and row.lease_until is not None
                  and row.lease_until > now):
                result.in_progress.append(wanted)
            else:
                result.requeued.append(wanted)
        if result.requeued:
            uow.session.execute(
                update(OutboxMessage).where(col(OutboxMessage.id).in_(result.requeued))
                .values(state=OutboxState.PENDING.value, attempts=0, next_attempt_at=now,
                        lease_until=None, last_error=None)
                .execution_options(synchronize_session=False))
        uow.commit()
    return result
