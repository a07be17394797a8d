"""``cashback outbox run|list|retry`` and ``cashback jobs run-due``, end to end through ``main``."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from outbox_support import SECRET

from bot.bootstrap import bootstrap
from bot.cli import main
from bot.sandbox import SANDBOX_COMPANIES, demo_serial, seed_sandbox
from bot.sandbox_mail import CollectingHandler, LoopbackController
from bot.settings import Settings

COMPANY = SANDBOX_COMPANIES[0]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATABASE_URL", "CASHBACK_DATABASE_URL", "TELEGRAM_BOT_TOKEN",
                 "CASHBACK_SMTP_HOST", "CASHBACK_MAIL_SIGNING_SECRET", "CASHBACK_IMAP_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASHBACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    app = bootstrap(Settings())
    try:
        seed_sandbox(app)
    finally:
        app.engine.dispose()
    return tmp_path / "data"


@pytest.fixture
def real_smtp(data_dir: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: LoopbackController,
              ) -> LoopbackController:
    """Configure the commands for "a real SMTP server": the loopback one."""
    monkeypatch.setenv("CASHBACK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CASHBACK_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("CASHBACK_SMTP_SECURITY", "none")
    monkeypatch.setenv("CASHBACK_MAIL_SIGNING_SECRET", SECRET)
    return smtp_server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main([*argv, "--lang", "en"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def register(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    app = bootstrap(Settings(), migrate=False)
    try:
        serial = demo_serial(app, COMPANY.campaign_code, "STP-SE")
    finally:
        app.engine.dispose()
    code, _ = run(capsys, "register", "--campaign", COMPANY.campaign_code, "--company",
                  COMPANY.customer_number, "--serial", serial, "--product", "STP-SE",
                  "--installed", "01/06/2026")
    assert code == 0


def test_in_the_sandbox_mail_is_caught_and_kept_as_eml_files(
        capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    register(capsys, data_dir)

    code, out = run(capsys, "outbox", "run", "--once")

    assert code == 0
    assert "local SMTP sink" in out
    assert "Notifications: 2 sent, 0 to retry later, 0 failed" in out
    [saved] = list((data_dir / "sandbox-mail").glob("*.eml"))
    mail = message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert mail["To"] == COMPANY.emails[0]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert (data_dir / "mail-signing-secret").exists()
    assert run(capsys, "outbox", "list")[1].strip() == "No notification in this state."


def test_a_failed_notification_is_listed_retried_and_sent(
        capsys: pytest.CaptureFixture[str], data_dir: Path, real_smtp: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    smtp_handler.refusals[COMPANY.emails[0]] = "550 5.1.1 mailbox unavailable"
    register(capsys, data_dir)
    run(capsys, "outbox", "run", "--once")

    code, listing = run(capsys, "outbox", "list")
    assert code == 0
    assert "#1 · e-mail · company 100001 · status_changed · failed · 1 attempt ·" in listing
    assert "550 5.1.1 mailbox unavailable" in listing
    code, data = run(capsys, "outbox", "list", "--state", "dead", "--json")
    assert [row["id"] for row in json.loads(data)] == [1]

    smtp_handler.refusals.clear()
    code, out = run(capsys, "outbox", "retry", "--all-dead")
    assert (code, out.strip()) == (0, "Queued again: #1.")
    code, out = run(capsys, "outbox", "run", "--once")

    assert "sent through 127.0.0.1" in out
    assert "Notifications: 1 sent" in out
    assert len(smtp_handler.received) == 1
    assert run(capsys, "outbox", "retry", "1")[1].strip() == "Already sent, not sent again: #1."


def test_retry_needs_numbers_or_all_dead(capsys: pytest.CaptureFixture[str],
                                         data_dir: Path) -> None:
    code, out = run(capsys, "outbox", "retry")
    assert code == 2
    assert "--all-dead" in out
    code, out = run(capsys, "outbox", "retry", "42")
    assert (code, out.strip()) == (2, "No such notification: #42.")


def test_jobs_run_due_says_what_it_did(capsys: pytest.CaptureFixture[str],
                                       data_dir: Path) -> None:
    code, out = run(capsys, "jobs", "run-due")
    assert code == 0
    assert "0 registrations without documents in time became ineligible" in out
    code, data = run(capsys, "jobs", "run-due", "--json")
    assert json.loads(data) == {"expired": 0, "reminded": 0}


def test_real_smtp_without_a_signing_secret_is_refused(
        capsys: pytest.CaptureFixture[str], data_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASHBACK_SMTP_HOST", "smtp.example")
    code, out = run(capsys, "outbox", "run", "--once")
    assert code == 2
    assert "CASHBACK_MAIL_SIGNING_SECRET is required" in out
