"""Waiting for replies: IMAP IDLE renewed in time, the command line, the assistant's run."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from imap_tools import BaseMailBox
from mail_support import Mailbox, ask, corpus, deliver, processed, status
from poller_support import Connections, running, wait_for

from bot import cli
from bot.bootstrap import App
from bot.mail.inbound import ReplyPoller, start_in_background


def test_with_idle_a_reply_is_handled_when_it_arrives_on_the_same_connection(
        app: App, mailbox: Mailbox) -> None:
    [request] = ask(app)
    connections = Connections(app)
    poller = ReplyPoller(app, connect=connections, tick_seconds=0.1, session_seconds=3600)

    with running(poller):
        wait_for(lambda: mailbox.box.folder.exists(app.settings.imap_quarantine_folder))
        deliver(app, mailbox, corpus("iphone_inline_photo.eml", reference=request.reference))
        wait_for(lambda: status(app, request.serial) == "under_review")

    assert (connections.count, connections.idle_offered) == (1, [True])
    assert mailbox.count(app.settings.imap_processed_folder) == 1


def test_an_idle_session_ends_and_reconnects_before_the_servers_timeout(app: App) -> None:
    connections = Connections(app)
    poller = ReplyPoller(app, connect=connections, tick_seconds=0.05, session_seconds=0.3)

    with running(poller):
        wait_for(lambda: connections.count >= 3)


def test_the_poller_survives_a_server_it_cannot_reach(app: App) -> None:
    attempts: list[int] = []

    def unreachable() -> BaseMailBox:
        attempts.append(1)
        raise ConnectionRefusedError("nobody listens")

    poller = ReplyPoller(app, connect=unreachable)
    with running(poller):
        wait_for(lambda: len(attempts) >= 2)


def test_mail_poll_once_on_the_command_line_reports_what_it_did(
        app: App, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    [request] = ask(app)
    deliver(app, mailbox, corpus("gmail_reply_quoting.eml", reference=request.reference,
                                 outbox_id=request.outbox_id))
    deliver(app, mailbox, corpus("out_of_office.eml", reference=request.reference))
    settings = app.settings
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "CASHBACK_DATA_DIR": settings.data_dir, "DATABASE_URL": settings.database_url,
        "CASHBACK_IMAP_HOST": settings.imap_host, "CASHBACK_IMAP_PORT": settings.imap_port,
        "CASHBACK_IMAP_SECURITY": "none", "CASHBACK_IMAP_USERNAME": settings.imap_username,
        "CASHBACK_IMAP_PASSWORD": settings.imap_password,
        "CASHBACK_IMAP_FOLDER": settings.imap_folder,
        "CASHBACK_IMAP_PROCESSED_FOLDER": settings.imap_processed_folder,
        "CASHBACK_IMAP_QUARANTINE_FOLDER": settings.imap_quarantine_folder,
        "CASHBACK_MAIL_SIGNING_SECRET": settings.mail_signing_secret,
    }.items():
        monkeypatch.setenv(name, str(value))

    code = cli.main(["mail", "poll", "--once", "--lang", "en"])

    assert code == 0
    assert capsys.readouterr().out.strip() == (
        "E-mail replies: 1 accepted, 0 refused, 1 ignored (automatic messages).")
    assert status(app, request.serial) == "under_review"


def test_mail_poll_without_an_imap_server_says_so(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASHBACK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CASHBACK_IMAP_HOST", raising=False)

    assert cli.main(["mail", "poll", "--once", "--lang", "en"]) == 2
    assert "CASHBACK_IMAP_HOST" in capsys.readouterr().out


def test_the_assistants_run_reads_replies_once_when_asked_once(
        app: App, mailbox: Mailbox) -> None:
    [request] = ask(app)
    deliver(app, mailbox, corpus("no_attachment.eml", reference=request.reference))

    assert start_in_background(app, threading.Event(), once=True) is None

    assert processed(app) == [("refused", "no_document")]
