"""Crashes, second passes, renumbered folders and floods: nothing lost, nothing doubled."""

from __future__ import annotations

import pytest
from imap_tools import BaseMailBox
from mail_support import (
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
)
from sqlmodel import select

from bot.bootstrap import App
from bot.mail.inbound import ReplyPoller
from storage.tables import MailboxCursor, StatusEvent


class Crash(BaseException):
    """The process dies: nothing after this line runs."""


class CrashingBeforeMove(ReplyPoller):
    """A poller killed after the database commit, before the IMAP move."""

    def _move(self, box: BaseMailBox, uids: list[int], folder: str) -> None:
        raise Crash


def under_review_events(app: App) -> int:
    with app.uow() as uow:
        return len(uow.session.exec(select(StatusEvent).where(
            StatusEvent.to_status == "under_review")).all())


def test_a_crash_between_commit_and_move_is_harmless_on_the_next_pass(
        app: App, mailbox: Mailbox, clock: Clock) -> None:
    [request] = ask(app)
    deliver(app, mailbox, corpus("gmail_reply_quoting.eml", reference=request.reference,
                                 outbox_id=request.outbox_id))
    with pytest.raises(Crash):
        CrashingBeforeMove(app).poll_once()
    assert status(app, request.serial) == "under_review"  # committed
    assert mailbox.count(app.settings.imap_folder) == 1  # not moved
    clock.advance(minutes=5)

    assert poll(app) == {"accepted": 1}

    assert documents(app) == [("Procès-verbal MES.pdf", "application/pdf")]
    assert under_review_events(app) == 1
    assert processed(app) == [("accepted", None)]
    assert mailbox.count(app.settings.imap_folder) == 0
    assert mailbox.count(app.settings.imap_processed_folder) == 1


def test_a_crash_before_moving_a_refused_message_sends_no_second_answer(
        app: App, mailbox: Mailbox) -> None:
    [request] = ask(app)
    deliver(app, mailbox, corpus("stranger_reply_to.eml", reference=request.reference,
                                 outbox_id=request.outbox_id))
    with pytest.raises(Crash):
        CrashingBeforeMove(app).poll_once()

    assert poll(app) == {"refused": 1}

    assert len(answers(app)) == 1
    assert mailbox.count(app.settings.imap_quarantine_folder) == 1


def test_the_same_message_delivered_twice_is_handled_once(app: App, mailbox: Mailbox) -> None:
    [request] = ask(app)
    raw = corpus("outlook_winmail_reply.eml", reference=request.reference,
                 outbox_id=request.outbox_id)
    deliver(app, mailbox, raw)
    deliver(app, mailbox, raw)

    assert poll(app) == {"accepted": 2}

    assert documents(app) == [("Facture 2026-114.pdf", "application/pdf")]
    assert processed(app) == [("accepted", None)]
    assert mailbox.count(app.settings.imap_processed_folder) == 2


def test_a_message_without_message_id_is_recognised_by_its_bytes(
        app: App, mailbox: Mailbox) -> None:
    [request] = ask(app)
    raw = corpus("forwarded_rfc822.eml", reference=request.reference).replace(
        b"Message-ID: <5f2a9c1e-fwd-0001@installer.example>\r\n", b"")
    deliver(app, mailbox, raw)
    deliver(app, mailbox, raw)

    assert poll(app) == {"accepted": 2}

    assert len(documents(app)) == 1
    assert len(processed(app)) == 1


def test_handled_uids_are_not_read_again_until_the_folder_is_renumbered(
        app: App, mailbox: Mailbox) -> None:
    [request] = ask(app)
    deliver(app, mailbox, corpus("no_attachment.eml", reference=request.reference))
    poller = ReplyPoller(app)
    poller.poll_once()
    with app.uow() as uow:
        [cursor] = uow.session.exec(select(MailboxCursor)).all()
        cursor.last_uid += 1000  # as if every UID up to here had been handled
        uow.session.add(cursor)
        uow.commit()
    deliver(app, mailbox, corpus("rfc2231_filename.eml", reference=request.reference))

    assert dict(poller.poll_once()) == {}
    assert mailbox.count(app.settings.imap_folder) == 1

    with app.uow() as uow:
        cursor = uow.session.exec(select(MailboxCursor)).one()
        cursor.uidvalidity += 1  # what we stored belongs to an older numbering
        uow.session.add(cursor)
        uow.commit()

    assert dict(poller.poll_once()) == {"accepted": 1}
    with app.uow() as uow:
        cursors = uow.session.exec(select(MailboxCursor)).all()
    assert len(cursors) == 2


def test_a_flooding_sender_is_quarantined_and_told_once(app: App, mailbox: Mailbox) -> None:
    app.settings.mail_sender_hourly_limit = 2
    requests = ask(app, count=4)
    for number, request in enumerate(requests):
        deliver(app, mailbox, corpus("rfc2231_filename.eml", reference=request.reference)
                .replace(b"<rfc2231-1@", f"<rfc2231-{number}@".encode()))

    assert poll(app) == {"accepted": 2, "refused": 2}

    assert [status(app, r.serial) for r in requests] == ["under_review"] * 2 + [
        "info_required"] * 2
    assert [a["reason"] for a in answers(app)] == ["rate_limited"]
    assert mailbox.count(app.settings.imap_quarantine_folder) == 2
