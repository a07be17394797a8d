"""``cashback doctor`` against real servers on loopback, and against ports nobody listens on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ops_support import BOT_TOKEN, ImapAccount
from sqlalchemy import text

from bot.cli import main
from bot.i18n import translator
from bot.ops.doctor import examine
from bot.ops.findings import Finding, Level
from bot.sandbox_mail import LoopbackController
from bot.settings import Settings
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import Webhook
from storage.db import make_engine
from storage.migrate import upgrade

CLOSED_PORT = 1  # nothing listens on port 1 of this machine: connections are refused at once
SECRET = "doctor-test-signing-secret-0123456789"
EN = translator("en")


def finding(findings: list[Finding], check: str) -> Finding:
    [found] = [f for f in findings if f.check == check]
    return found


def production(tmp_path: Path, **overrides: object) -> Settings:
    """Settings as a deployment has them, every server on loopback."""
    values: dict[str, object] = {
        "data_dir": tmp_path / "data", "telegram_bot_token": BOT_TOKEN,
        "telegram_base_url": f"http://127.0.0.1:{CLOSED_PORT}/bot",
        "smtp_host": "127.0.0.1", "smtp_port": CLOSED_PORT, "smtp_security": "none",
        "mail_from": "cashback@campaign.example", "mail_signing_secret": SECRET,
        "imap_host": "127.0.0.1", "imap_port": CLOSED_PORT, "imap_security": "none",
        "imap_username": "cashback", "imap_password": "secret"}
    return Settings.model_validate({**values, **overrides})


def test_the_sandbox_has_nothing_to_fix(clean_environment: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()

    code = main(["doctor", "--lang", "en"])

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[-1] == "Nothing to fix."
    assert "[OK] Database: " in out
    assert "is current" in out
    assert "[OK] Telegram: No TELEGRAM_BOT_TOKEN" in out


def test_reachable_servers_are_ok(tmp_path: Path, smtp_server: LoopbackController,
                                  imap_account: ImapAccount, bot_api: BotApiServer) -> None:
    settings = production(tmp_path, smtp_port=smtp_server.port, imap_port=imap_account.port,
                          imap_username=imap_account.user, imap_password=imap_account.password,
                          telegram_base_url=bot_api.base_url,
                          telegram_base_file_url=bot_api.base_file_url)
    upgrade(make_engine(settings.resolved_database_url))

    findings = examine(settings)

    assert {f.check: f.level for f in findings} == {
        "settings": Level.OK, "database": Level.OK, "campaigns": Level.OK,
        "documents": Level.OK, "smtp": Level.OK, "imap": Level.OK, "telegram": Level.OK}
    assert finding(findings, "telegram").fields["username"] == "cashback_sandbox_bot"
    assert finding(findings, "imap").fields["folder"] == "INBOX"


def test_closed_ports_are_problems_with_a_fix_each(tmp_path: Path) -> None:
    findings = examine(production(tmp_path))

    for check in ("smtp", "imap", "telegram"):
        found = finding(findings, check)
        assert found.level is Level.PROBLEM, found
        assert found.fix is not None
    assert "ConnectionRefusedError" in str(finding(findings, "smtp").fields["error"]) or \
        "Connect" in str(finding(findings, "smtp").fields["error"])


def test_a_refused_imap_login_and_a_wrong_folder_are_told_apart(
        tmp_path: Path, imap_account: ImapAccount) -> None:
    wrong = examine(production(tmp_path, imap_port=imap_account.port,
                               imap_password="not-the-password"))
    missing = examine(production(tmp_path, imap_port=imap_account.port,
                                 imap_username=imap_account.user,
                                 imap_password=imap_account.password,
                                 imap_folder="Cashback/Replies"))

    assert finding(wrong, "imap").level is Level.PROBLEM
    assert finding(wrong, "imap").fix == "Check CASHBACK_IMAP_USERNAME and CASHBACK_IMAP_PASSWORD."
    assert finding(missing, "imap").level is Level.WARNING
    assert finding(missing, "imap").fields["folder"] == "Cashback/Replies"


def test_a_token_the_bot_api_refuses_is_a_problem_and_is_never_printed(
        tmp_path: Path, bot_api: BotApiServer) -> None:
    findings = examine(production(tmp_path, telegram_bot_token="999:someone-elses-token",
                                  telegram_base_url=bot_api.base_url))

    found = finding(findings, "telegram")
    assert found.level is Level.PROBLEM
    assert found.fix == "Copy the token again from @BotFather into TELEGRAM_BOT_TOKEN."
    assert "someone-elses-token" not in found.text(EN)


def test_missing_secrets_and_example_values_outside_the_sandbox(tmp_path: Path) -> None:
    findings = examine(production(tmp_path, smtp_host=None, mail_signing_secret="changeme",
                                  imap_password=None))

    problems = [f.message for f in findings if f.check == "settings"]
    assert any("CASHBACK_SMTP_HOST is not" in message for message in problems)
    assert any("CASHBACK_MAIL_SIGNING_SECRET" in message for message in problems)
    assert any("without CASHBACK_IMAP_USERNAME" in message for message in problems)


def test_a_database_newer_than_the_code_and_an_unreachable_one(tmp_path: Path) -> None:
    settings = production(tmp_path)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    unreachable = production(tmp_path, database_url=(
        f"postgresql+psycopg://cashback:hunter2@127.0.0.1:{CLOSED_PORT}/cashback"))

    ahead = finding(examine(settings), "database")
    down = finding(examine(unreachable), "database")

    assert ahead.level is Level.PROBLEM
    assert ahead.fields["revision"] == "9999_future"
    assert down.level is Level.PROBLEM
    assert "hunter2" not in down.text(EN)
    assert "***" in str(down.fields["url"])


def test_json_output_and_exit_code_in_french(clean_environment: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASHBACK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CASHBACK_SMTP_PORT", str(CLOSED_PORT))
    monkeypatch.setenv("CASHBACK_SMTP_SECURITY", "none")
    monkeypatch.setenv("CASHBACK_MAIL_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("CASHBACK_MAIL_FROM", "cashback@campaign.example")

    code = main(["doctor", "--json", "--lang", "fr"])

    document = json.loads(capsys.readouterr().out)
    assert code == 1
    [smtp] = [entry for entry in document if entry["check"] == "smtp"]
    assert smtp["level"] == "problem"
    assert smtp["message"].startswith("Impossible de dialoguer avec le serveur SMTP 127.0.0.1:1")
    assert "CASHBACK_SMTP_PORT" in smtp["fix"]


def test_an_invalid_setting_is_explained_not_a_traceback(
        clean_environment: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "changeme")

    code = main(["doctor", "--lang", "it"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Impostazione non valida TELEGRAM_BOT_TOKEN: ")
    assert "cashback doctor" in err


def test_in_webhook_mode_telegram_must_post_to_the_configured_url(
        tmp_path: Path, bot_api: BotApiServer) -> None:
    url = "https://bot.campaign.example/telegram"
    settings = production(tmp_path, telegram_base_url=bot_api.base_url, telegram_mode="webhook",
                          telegram_webhook_url=url,
                          telegram_webhook_secret="webhook-secret-0123456789")

    before = finding(examine(settings), "telegram")
    bot_api.world.webhook = Webhook(url, "webhook-secret-0123456789")  # as the bot's start does
    after = finding(examine(settings), "telegram")

    assert before.level is Level.WARNING
    assert (before.fields["configured"], before.fields["current"]) == (url, "-")
    assert after.level is Level.OK
