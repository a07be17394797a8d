"""Claiming a scheduled job's period, so that several runners run it once per period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from storage.tables import JobRun
from storage.uow import UnitOfWork

KEEP = timedelta(days=30)  # older rows only say that a job ran; they are pruned


def period_of(now: datetime, interval_seconds: float) -> int:
    """The number of the ``interval_seconds``-long period ``now`` falls in (since 1970)."""
    return int(now.timestamp() // max(interval_seconds, 1.0))


def claim_period(uow: UnitOfWork, *, job: str, period: int, now: datetime) -> bool:
    """Record that ``job`` runs for ``period`` in this unit of work; False if it already did.

    The row commits with the job's own work. On PostgreSQL a runner claiming the same period
    while another's claim is not yet committed waits for it: then skips if it committed, or
    runs if it rolled back (its runner died), so the period is neither doubled nor lost.
    SQLite serialises writers at ``BEGIN IMMEDIATE``, with the same outcome.
    """
    insert = postgresql_insert if uow.dialect == "postgresql" else sqlite_insert
    claimed = uow.session.execute(
        insert(JobRun).values(job=job, period=period, ran_at=now)
        .on_conflict_do_nothing(index_elements=["job", "period"])
        .returning(col(JobRun.id))).first()
    if claimed is None:
        return False
    uow.session.execute(delete(JobRun).where(col(JobRun.ran_at) < now - KEEP))
    return True
