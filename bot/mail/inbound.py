"""The reply poller: new messages in, one transaction each, then moved out of the inbox.

For each new UID (above the cursor kept per UIDVALIDITY) the poller fetches the message
without marking it seen, parses it, lets :func:`storage.services.replies.receive_reply`
judge and record it, and only after that commit moves it to the processed or quarantine
folder and advances the cursor. A crash in between leaves the message in the inbox; the next
pass finds its processed-email record and only moves it.

Waiting for mail: IMAP IDLE when the server offers it, ended and the connection renewed
before the 29 minutes after which servers may drop an idle client (RFC 2177); otherwise a
new connection every ``CASHBACK_MAIL_POLL_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress

from imap_tools import BaseMailBox

from bot.bootstrap import App
from bot.mail import imap
from bot.mail.attachments import Selection, select_documents
from bot.mail.matching import reply_keys
from bot.mail.parse import ParsedMessage, parse_headers, parse_message
from bot.mail.secret import signing_secret
from core.replies import MessageKind, ReplyKeys, ReplyProblem
from storage.services import mail_cursor
from storage.services.replies import IncomingReply, ReplyLimits, ReplyResult, receive_reply
from storage.services.review import IncomingDocument

log = logging.getLogger("cashback.mail")

IDLE_SESSION_SECONDS = 25 * 60  # well before the 29 minutes of RFC 2177
MAX_BACKOFF_SECONDS = 300.0


class ReplyPoller:
    """Reads the replies folder of one IMAP account and hands each message to storage."""

    def __init__(self, app: App, *, connect: Callable[[], BaseMailBox] | None = None,
                 tick_seconds: float = 1.0,
                 session_seconds: float = IDLE_SESSION_SECONDS) -> None:
        settings = app.settings
        self.app = app
        self.connect = connect or (lambda: imap.connect(settings))
        self.folders = imap.folders(settings)
        self.mailbox = imap.mailbox_name(settings)
        self.secret = signing_secret(settings)
        self.limits = ReplyLimits(hourly=settings.mail_sender_hourly_limit,
                                  max_attachment_bytes=settings.mail_max_attachment_bytes,
                                  max_attachments=settings.mail_max_attachments)
        # Larger than every allowed file base64-encoded plus room for text: not downloaded.
        self.max_message_bytes = (self.limits.max_attachments
                                  * (self.limits.max_attachment_bytes * 4 // 3 + 4096)
                                  + 512 * 1024)
        self.tick_seconds = tick_seconds
        self.session_seconds = session_seconds

    def poll_once(self) -> Counter[str]:
        """Connect, handle every new message, disconnect; counts per outcome."""
        box = self.connect()
        try:
            return self.handle_new(box)
        finally:
            _logout(box)

    def run(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set, reconnecting with backoff after any failure."""
        failures = 0
        while not stop.is_set():
            try:
                box = self.connect()
                try:
                    if imap.supports(box, "IDLE"):
                        self._idle_session(box, stop)
                    else:
                        self.handle_new(box)
                finally:
                    _logout(box)
                failures = 0
                if not imap.supports(box, "IDLE"):
                    stop.wait(self.app.settings.mail_poll_seconds)
            except Exception:  # noqa: BLE001 - the poller outlives a broken server or DB
                failures += 1
                delay = min(MAX_BACKOFF_SECONDS, 2.0 ** failures)
                log.exception("reply polling failed; retrying in %.0f s", delay)
                stop.wait(delay)

    def handle_new(self, box: BaseMailBox) -> Counter[str]:
        """One pass over the messages that arrived since the last one."""
        imap.ensure_folders(box, self.folders)
        uidvalidity = imap.select(box, self.folders.inbox)
        with self.app.uow() as uow:
            after = mail_cursor.last_uid(uow, mailbox=self.mailbox, uidvalidity=uidvalidity)
        counts: Counter[str] = Counter()
        for uid in imap.new_uids(box, after):
            result = self.handle(box, uid)
            if result is not None:
                target = self.folders.quarantine if result.quarantine else self.folders.processed
                self._move(box, uid, target)
                counts[result.outcome.value] += 1
            with self.app.uow() as uow:
                mail_cursor.advance(uow, mailbox=self.mailbox, uidvalidity=uidvalidity,
                                    uid=uid, now=self.app.clock())
        return counts

    def handle(self, box: BaseMailBox, uid: int) -> ReplyResult | None:
        """Fetch, parse and record one message; None if it disappeared meanwhile."""
        head = imap.fetch(box, uid, headers_only=True)
        if head is None:
            return None
        if head.size_rfc822 > self.max_message_bytes:
            parsed, selection = self._too_big(head.raw, head.size_rfc822)
        else:
            whole = imap.fetch(box, uid, headers_only=False)
            if whole is None:
                return None
            parsed, selection = self._read(whole.raw)
        reply = self._reply(parsed, selection)
        with self.app.uow() as uow:
            result = receive_reply(uow, reply=reply, store=self.app.documents,
                                   limits=self.limits, now=self.app.clock())
        log.info("uid %d %s from %s: %s%s%s", uid, parsed.message_id, parsed.sender,
                 result.outcome.value, f" ({result.reason})" if result.reason else "",
                 " [already handled]" if result.duplicate else "")
        return result

    def _move(self, box: BaseMailBox, uid: int, folder: str) -> None:
        imap.move(box, uid, folder)

    def _read(self, raw: bytes) -> tuple[ParsedMessage, Selection]:
        try:
            parsed = parse_message(raw)
        except Exception:  # noqa: BLE001 - an unparsable message is quarantined, not fatal
            log.exception("unreadable message")
            parsed = parse_headers(raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])
            return parsed, Selection((), ReplyProblem.NO_DOCUMENT)
        return parsed, select_documents(parsed.files, max_bytes=self.limits.max_attachment_bytes,
                                        max_count=self.limits.max_attachments)

    def _too_big(self, headers: bytes, size: int) -> tuple[ParsedMessage, Selection]:
        log.info("message of %d bytes judged on its headers alone", size)
        return parse_headers(headers), Selection((), ReplyProblem.TOO_BIG)

    def _reply(self, parsed: ParsedMessage, selection: Selection) -> IncomingReply:
        keys = reply_keys(parsed, self.secret) if parsed.kind is MessageKind.PERSONAL \
            else ReplyKeys()
        return IncomingReply(
            mailbox=self.mailbox, message_id=parsed.message_id, sender=parsed.sender,
            subject=parsed.subject, kind=parsed.kind, keys=keys,
            documents=tuple(IncomingDocument(part.filename, part.content_type or "",
                                             part.content) for part in selection.documents),
            attachment_problem=selection.problem, offending=selection.offending)

    def _idle_session(self, box: BaseMailBox, stop: threading.Event) -> None:
        """Handle new mail, then IDLE until more arrives; return to reconnect in time."""
        started = time.monotonic()
        while not stop.is_set() and time.monotonic() - started < self.session_seconds:
            self.handle_new(box)
            box.idle.start()  # type: ignore[no-untyped-call]
            try:
                self._wait_for_mail(stop, box, started)
            finally:
                box.idle.stop()  # type: ignore[no-untyped-call]

    def _wait_for_mail(self, stop: threading.Event, box: BaseMailBox, started: float) -> None:
        quick_empty = 0
        while not stop.is_set() and time.monotonic() - started < self.session_seconds:
            before = time.monotonic()
            if box.idle.poll(timeout=self.tick_seconds):
                return
            # An empty answer long before the timeout means the server hung up.
            quick_empty = quick_empty + 1 if time.monotonic() - before < \
                self.tick_seconds / 2 else 0
            if quick_empty >= 3:
                raise ConnectionError("the IMAP server closed the idle connection")


def _logout(box: BaseMailBox) -> None:
    with suppress(Exception):
        box.logout()


def start_in_background(app: App, stop: threading.Event, *,
                        once: bool) -> threading.Thread | None:
    """``cashback run``: read replies beside the other jobs when an IMAP server is set."""
    if not app.settings.imap_host:
        return None
    poller = ReplyPoller(app)
    if once:
        try:
            poller.poll_once()
        except Exception:  # noqa: BLE001 - the other jobs of the run still count
            log.exception("reading replies failed")
        return None
    thread = threading.Thread(target=poller.run, args=(stop,), name="reply-poller",
                              daemon=True)
    thread.start()
    return thread
