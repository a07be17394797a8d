"""Claiming a scheduled job's period: once per period, and free again if the run failed."""

from __future__ import annotations

from datetime import UTC, datetime

from databases import Database

from storage.services.job_runs import claim_period, period_of
from storage.uow import UnitOfWork

NOW = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)


def claim(database: Database, period: int, *, commit: bool) -> bool:
    with UnitOfWork(database.engine) as uow:
        claimed = claim_period(uow, job="send_reminders", period=period, now=NOW)
        if commit:
            uow.commit()
    return claimed


def test_a_period_is_claimed_once(database: Database) -> None:
    assert claim(database, 7, commit=True)
    assert not claim(database, 7, commit=True)
    assert claim(database, 8, commit=True)  # the next period is a new run


def test_a_run_that_failed_leaves_its_period_to_the_next_runner(database: Database) -> None:
    assert claim(database, 7, commit=False)  # the job raised: its transaction rolled back
    assert claim(database, 7, commit=True)


def test_periods_follow_the_interval() -> None:
    assert period_of(NOW, 300) == int(NOW.timestamp()) // 300
    assert period_of(NOW, 300) + 1 == period_of(NOW.replace(minute=5), 300)
