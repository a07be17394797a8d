"""Two job runners (``cashback run --only jobs``) at once: each job runs once per period."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from databases import Database
from sqlmodel import Session, select
from workers_support import (
    Worker,
    ask_for_documents,
    campaigns_folder,
    enrol,
    sampled_serials,
    workers,
)

from bot.campaigns import campaign_files, load_campaigns
from storage.tables import JobRun, OutboxMessage, Registration, StatusEvent

CENTURY = str(100 * 365 * 24 * 3600)  # one period for the whole test: both runners share it


def test_two_job_runners_expire_and_remind_once_per_period(database: Database,
                                                          tmp_path: Path) -> None:
    folder = campaigns_folder(tmp_path / "campaigns")
    campaign = load_campaigns(campaign_files(folder))["fr-2026"]
    now = datetime.now(UTC)
    enrol(database.engine, now)
    overdue = sampled_serials(campaign, 3_900_000_000, 3)
    coming_due = sampled_serials(campaign, 3_910_000_000, 3)
    ask_for_documents(database.engine, campaign, "C-100", overdue, now - timedelta(days=15))
    ask_for_documents(database.engine, campaign, "C-100", coming_due, now - timedelta(days=7))
    env = {"DATABASE_URL": database.url, "CASHBACK_DATA_DIR": str(tmp_path / "data"),
           "CASHBACK_CAMPAIGNS_DIR": str(folder), "CASHBACK_JOBS_INTERVAL_SECONDS": CENTURY}

    with workers(*(Worker(tmp_path / f"runner{n}", env, "--only", "jobs", "--once")
                   for n in (1, 2))) as started:
        codes = [worker.wait() for worker in started]

    assert codes == [0, 0]
    with Session(database.engine) as session:
        runs = Counter(run.job for run in session.exec(select(JobRun)))
        statuses = {r.serial: r.status for r in session.exec(select(Registration))}
        expiries = Counter(e.registration_id for e in session.exec(
            select(StatusEvent).where(StatusEvent.to_status == "ineligible")))
        reminders = [row for row in session.exec(select(OutboxMessage))
                     if row.topic == "reminder"]
    assert runs == {"expire_overdue": 1, "send_reminders": 1}
    assert {statuses[s] for s in overdue} == {"ineligible"}
    assert {statuses[s] for s in coming_due} == {"info_required"}
    assert sorted(expiries.values()) == [1, 1, 1]
    assert sorted(row.kind for row in reminders) == ["chat", "email"]  # one digest, once
    skipped = sum(worker.log().count("already ran for this period") for worker in started)
    assert skipped == 2  # each job was claimed by one runner and skipped by the other
