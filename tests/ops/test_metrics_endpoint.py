"""/metrics and /healthz over real HTTP: from the server alone, and from ``cashback run``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from databases import Database
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from bot.observability.metrics import job_run, registry
from bot.observability.probe import healthy
from bot.observability.server import ObservabilityServer
from storage.db import make_engine
from storage.tables import Company, OutboxMessage

NOW = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


@pytest.fixture
def server(database: Database) -> Iterator[ObservabilityServer]:
    observed = ObservabilityServer(database.engine, lambda: NOW, listen="127.0.0.1", port=0)
    observed.start()
    try:
        yield observed
    finally:
        observed.stop()


def add_outbox(database: Database, *, kind: str, state: str, created: datetime) -> None:
    with Session(database.engine) as session:
        company = Company(customer_number=f"C{created.timestamp():.0f}{kind}{state}",
                          name="Solaire", campaign_code="fr-2026", language="fr",
                          created_at=created)
        session.add(company)
        session.flush()
        assert company.id is not None
        session.add(OutboxMessage(kind=kind, company_id=company.id, topic="status_changed",
                                  payload="{}", created_at=created, next_attempt_at=created,
                                  state=state))
        session.commit()


def test_healthz_answers_200_with_json_when_the_database_answers(
        server: ObservabilityServer) -> None:
    status, content_type, body = get(f"http://127.0.0.1:{server.port}/healthz")

    assert status == 200
    assert content_type == "application/json"
    assert json.loads(body) == {"status": "ok", "database": "ok"}
    assert healthy(server.port)


def test_healthz_answers_503_when_the_database_does_not() -> None:
    # Nothing listens on port 1: every connection is refused at once.
    engine = make_engine("postgresql+psycopg://cashback@127.0.0.1:1/cashback")
    down = ObservabilityServer(engine, lambda: NOW, listen="127.0.0.1", port=0)
    down.start()
    try:
        status, _, body = get(f"http://127.0.0.1:{down.port}/healthz")
        probe = healthy(down.port)
    finally:
        down.stop()
        engine.dispose()

    assert status == 503
    assert json.loads(body) == {"status": "unavailable", "database": "OperationalError"}
    assert probe is False


def test_the_probe_fails_when_nothing_listens() -> None:
    assert healthy(1) is False


def test_metrics_show_the_outbox_depth_and_the_age_of_its_oldest_row(
        database: Database, server: ObservabilityServer) -> None:
    add_outbox(database, kind="email", state="pending", created=NOW - timedelta(minutes=10))
    add_outbox(database, kind="email", state="pending", created=NOW - timedelta(minutes=2))
    add_outbox(database, kind="chat", state="dead", created=NOW - timedelta(hours=1))
    add_outbox(database, kind="chat", state="sent", created=NOW - timedelta(days=3))

    status, content_type, body = get(f"http://127.0.0.1:{server.port}/metrics")

    assert status == 200
    assert content_type.startswith("text/plain; version=")
    found = samples(body)
    email_pending = (("kind", "email"), ("state", "pending"))
    chat_dead = (("kind", "chat"), ("state", "dead"))
    assert found["cashback_outbox_depth", email_pending] == 2
    assert found["cashback_outbox_oldest_age_seconds", email_pending] == 600
    assert found["cashback_outbox_depth", chat_dead] == 1
    assert found["cashback_outbox_oldest_age_seconds", chat_dead] == 3600
    assert not any(labels == (("kind", "chat"), ("state", "sent")) for _, labels in found)


def test_job_runs_are_counted_by_job_and_outcome(database: Database) -> None:
    metrics = registry(database.engine, lambda: NOW)

    def runs(outcome: str) -> float:
        value = metrics.get_sample_value("cashback_job_runs_total",
                                         {"job": "test_job", "outcome": outcome})
        return value or 0.0

    before_ok, before_error = runs("ok"), runs("error")
    with job_run("test_job"):
        pass
    with pytest.raises(RuntimeError), job_run("test_job"):
        raise RuntimeError("boom")

    assert (runs("ok"), runs("error")) == (before_ok + 1, before_error + 1)


def test_cashback_run_serves_metrics_and_health_and_logs_json_lines(tmp_path: Path) -> None:
    """The real process: sandbox, JSON logs, metrics server on a free port."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("CASHBACK_", "DATABASE_URL", "TELEGRAM_"))}
    environment.update(CASHBACK_DATA_DIR=str(tmp_path / "data"), CASHBACK_METRICS_PORT="0",
                       CASHBACK_SANDBOX_PORT="0", CASHBACK_LOG_FORMAT="json",
                       CASHBACK_JOBS_INTERVAL_SECONDS="3600")
    with subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--lang", "en"],
                          cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stderr is not None
            port = None
            lines = []
            for line in process.stderr:  # ends if the process dies: the test fails, not hangs
                entry = json.loads(line)
                lines.append(entry)
                if entry["message"].startswith("metrics and health on http://"):
                    port = int(entry["message"].split(":")[2].split("/")[0])
                if entry["message"].startswith("jobs:"):  # the first pass of the jobs is done
                    break
            assert port is not None, lines
            health = get(f"http://127.0.0.1:{port}/healthz")
            status, _, body = get(f"http://127.0.0.1:{port}/metrics")
        finally:
            process.terminate()  # also when an assertion failed: never a hang

    assert health[0] == 200
    assert status == 200
    for family in ("cashback_updates", "cashback_registrations", "cashback_outbox_depth",
                   "cashback_outbox_oldest_age_seconds", "cashback_imap_polls",
                   "cashback_job_runs", "cashback_errors"):
        assert re.search(rf"^# TYPE {family}(_total)? ", body, re.MULTILINE), family
    found = samples(body)
    assert found["cashback_job_runs_total", (("job", "expire_overdue"), ("outcome", "ok"))] == 1
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in lines)
