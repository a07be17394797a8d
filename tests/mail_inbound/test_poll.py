"""End to end: real messages in a real IMAP server (pymap), read by the reply poller."""

from __future__ import annotations

import base64
import json

import pytest
from mail_support import (
    OFFICE,
    Clock,
    Mailbox,
    answers,
    ask,
    corpus,
    deliver,
    documents,
    poll,
    processed,
    status,
    table,
)

from bot.bootstrap import App
from storage.tables import Document, OutboxMessage


def test_an_outlook_reply_with_winmail_dat_puts_the_registration_under_review(
        app: App, mailbox: Mailbox, clock: Clock) -> None:
    [request] = ask(app)
    clock.advance(days=1)
    raw = corpus("outlook_winmail_reply.eml", reference=request.reference,
                 outbox_id=request.outbox_id)
    deliver(app, mailbox, raw)

    assert poll(app) == {"accepted": 1}

    assert status(app, request.serial) == "under_review"
    assert documents(app) == [("Facture 2026-114.pdf", "application/pdf")]
    [document] = table(app, Document)
    assert isinstance(document, Document)
    assert app.documents.read(document.sha256).startswith(b"%PDF-1.4")
    assert (document.sender, document.channel) == (OFFICE, "email")
    assert processed(app) == [("accepted", None)]
    assert mailbox.messages(app.settings.imap_folder) == []
    [(kept, flags)] = mailbox.messages(app.settings.imap_processed_folder)
    assert kept == raw
    assert "\\Seen" not in flags  # fetched with BODY.PEEK: a person still sees it as new
    acknowledgement = [json.loads(row.payload) for row in table(app, OutboxMessage)
                       if isinstance(row, OutboxMessage) and "under_review" in row.payload]
    assert len(acknowledgement) == 2  # e-mail and chat


@pytest.mark.parametrize(("name", "expected"), [
    ("gmail_reply_quoting.eml", [("Procès-verbal MES.pdf", "application/pdf")]),
    ("forwarded_rfc822.eml", [("facture-martin.pdf", "application/pdf")]),
    ("iphone_inline_photo.eml", [("IMG_0423.jpeg", "image/jpeg")]),
    ("rfc2231_filename.eml", [("Procès-verbal de mise en service n°1.pdf",
                               "application/pdf")]),
    ("windows_path_filename.eml", [("facture-juin.pdf", "application/pdf")]),
])
def test_replies_as_mail_clients_write_them_are_accepted(
        app: App, mailbox: Mailbox, name: str, expected: list[tuple[str, str]]) -> None:
    [request] = ask(app)
    deliver(app, mailbox, corpus(name, reference=request.reference,
                                 outbox_id=request.outbox_id))

    assert poll(app) == {"accepted": 1}
    assert status(app, request.serial) == "under_review"
    assert documents(app) == expected
    assert mailbox.count(app.settings.imap_processed_folder) == 1


def test_a_reply_to_a_digest_puts_every_announced_registration_under_review(
        app: App, mailbox: Mailbox) -> None:
    first, second = ask(app, count=2)
    assert first.outbox_id == second.outbox_id  # one e-mail announced both requests
    deliver(app, mailbox, corpus("iphone_inline_photo.eml", reference="000000000000",
                                 outbox_id=first.outbox_id))

    assert poll(app) == {"accepted": 1}
    assert [status(app, r.serial) for r in (first, second)] == ["under_review"] * 2


@pytest.mark.parametrize(("name", "reason"), [
    ("out_of_office.eml", "auto_reply"),
    ("delivery_failure.eml", "bounce"),
    ("mailing_list.eml", "list"),
])
def test_automatic_messages_are_quarantined_without_an_answer(
        app: App, mailbox: Mailbox, name: str, reason: str) -> None:
    [request] = ask(app)
    outbox_before = len(table(app, OutboxMessage))
    raw = corpus(name, reference=request.reference, outbox_id=request.outbox_id)
    deliver(app, mailbox, raw)

    assert poll(app) == {"ignored": 1}

    assert status(app, request.serial) == "info_required"
    assert processed(app) == [("ignored", reason)]
    assert len(table(app, OutboxMessage)) == outbox_before
    assert [kept for kept, _flags in mailbox.messages(app.settings.imap_quarantine_folder)] == [
        raw]


@pytest.mark.parametrize(("name", "reason", "files"), [
    ("stranger_reply_to.eml", "stranger", []),
    ("unknown_reference.eml", "unknown_reference", []),
    ("exe_renamed_pdf.eml", "wrong_type", ["facture.pdf"]),
    ("no_attachment.eml", "no_document", []),
])
def test_unusable_replies_are_quarantined_and_answered_once(
        app: App, mailbox: Mailbox, name: str, reason: str, files: list[str]) -> None:
    [request] = ask(app)
    raw = corpus(name, reference=request.reference, outbox_id=request.outbox_id)
    deliver(app, mailbox, raw)

    assert poll(app) == {"refused": 1}

    assert status(app, request.serial) == "info_required"
    assert documents(app) == []
    assert processed(app) == [("refused", reason)]
    [answer] = answers(app)
    assert (answer["reason"], answer["files"]) == (reason, files)
    [(kept, _flags)] = mailbox.messages(app.settings.imap_quarantine_folder)
    assert kept == raw
    assert mailbox.count(app.settings.imap_folder) == 0


def test_a_30_mb_attachment_is_refused_as_too_big_and_kept_in_quarantine(
        app: App, mailbox: Mailbox) -> None:
    [request] = ask(app)
    payload = base64.encodebytes(b"%PDF-1.7\n" + bytes(30 * 1024 * 1024)).replace(b"\n",
                                                                                 b"\r\n")
    raw = (f"From: {OFFICE}\r\nTo: cashback+{request.reference}@cashback.example\r\n"
           f"Subject: Re: [CB-{request.reference}] scan\r\nMessage-ID: <big-1@x>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=big\r\n\r\n"
           "--big\r\nContent-Type: text/plain\r\n\r\nScan attached.\r\n--big\r\n"
           "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=scan-600dpi.pdf\r\n\r\n").encode() \
        + payload + b"--big--\r\n"
    deliver(app, mailbox, raw)

    assert poll(app) == {"refused": 1}

    assert processed(app) == [("refused", "too_big")]
    [answer] = answers(app)
    assert (answer["files"], answer["max_attachment_bytes"]) == (["scan-600dpi.pdf"],
                                                                 15 * 1024 * 1024)
    [(kept, _flags)] = mailbox.messages(app.settings.imap_quarantine_folder)
    assert kept == raw


def test_a_message_larger_than_any_allowed_reply_is_judged_on_its_headers(
        app: App, mailbox: Mailbox) -> None:
    app.settings.mail_max_attachment_bytes = 10_000
    app.settings.mail_max_attachments = 1
    [request] = ask(app)
    raw = corpus("iphone_inline_photo.eml", reference=request.reference,
                 outbox_id=request.outbox_id).replace(b"Photo de la", b"X" * 600_000 + b"Photo")
    deliver(app, mailbox, raw)

    assert poll(app) == {"refused": 1}

    [answer] = answers(app)
    assert answer["reason"] == "too_big"
    assert mailbox.count(app.settings.imap_quarantine_folder) == 1
