"""The reply poller: new messages in, recorded and committed, then moved out of the inbox.

For each new UID (above the cursor kept per UIDVALIDITY) the poller fetches the message
without marking it seen, parses it, lets :func:`storage.services.replies.record_reply`
judge and record it (a group of messages shares one commit), and only after that commit
moves it to the processed or quarantine
folder and advances the cursor. A crash in between leaves the message in the inbox; the next
pass finds its processed-email record and only moves it.

Several pollers (``cashback run --only mail`` in more than one process) take turns: a pass
holds a lock named after the mailbox (PostgreSQL advisory lock), so the next poller starts
where the cursor now is. Should two passes still meet (SQLite, or a crash between the move
and the cursor), the processed-email record, unique per Message-ID, makes the second a no-op.

Waiting for mail: IMAP IDLE when the server offers it, ended and the connection renewed
before the 29 minutes after which servers may drop an idle client (RFC 2177); otherwise a
new connection every ``CASHBACK_MAIL_POLL_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress

from imap_tools import BaseMailBox

from bot.bootstrap import App
from bot.mail import imap
from bot.mail.incoming import reply_from_headers, reply_from_message
from bot.mail.secret import signing_secret
from bot.observability.metrics import MAIL_POLLS, mail_poll_succeeded
from storage.locks import exclusive
from storage.services import mail_cursor
from storage.services.replies import IncomingReply, ReplyLimits, ReplyResult, record_reply

log = logging.getLogger("cashback.mail")

IDLE_SESSION_SECONDS = 25 * 60  # well before the 29 minutes of RFC 2177
MAX_BACKOFF_SECONDS = 300.0
BATCH = 50  # messages per header fetch, move and cursor update
IN_FLIGHT = 1  # groups parsed and waiting for the database besides the one recording
GROUP = 20  # messages committed together
GROUP_BYTES = 32 * 1024 * 1024  # ... or fewer, when their documents reach this size


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
                        self.handle_new(box, stop)
                finally:
                    _logout(box)
                failures = 0
                if not imap.supports(box, "IDLE"):
                    stop.wait(self.app.settings.mail_poll_seconds)
            except Exception:  # noqa: BLE001 - the poller outlives a broken server or DB
                failures += 1
                MAIL_POLLS.labels(outcome="error").inc()
                delay = min(MAX_BACKOFF_SECONDS, 2.0 ** failures)
                log.exception("reply polling failed; retrying in %.0f s", delay)
                stop.wait(delay)

    def handle_new(self, box: BaseMailBox, stop: threading.Event | None = None) -> Counter[str]:
        """One pass over the messages that arrived since the last one.

        Messages go in batches: the headers and sizes of a batch in one command; then each
        message is fetched and parsed here while a second thread records the previous group
        in one transaction (parsing overlaps the database's work); then one ``UID MOVE``
        per target folder, and the cursor advances. A crash inside a batch leaves its
        committed messages in the inbox, where the next pass finds them handled and moves them.
        When ``stop`` is set the pass ends after the batch in hand (recorded, moved, cursor
        advanced): a stopping process finishes its batch and leaves the rest to the next pass.
        """
        # One pass at a time per mailbox, across processes: a second poller waits here and
        # then finds the cursor past what the first one handled.
        with exclusive(self.app.engine, f"reply-poller:{self.mailbox}"):
            return self._handle_new(box, stop)

    def _handle_new(self, box: BaseMailBox, stop: threading.Event | None) -> Counter[str]:
        imap.ensure_folders(box, self.folders)
        uidvalidity = imap.select(box, self.folders.inbox)
        with self.app.uow() as uow:
            after = mail_cursor.last_uid(uow, mailbox=self.mailbox, uidvalidity=uidvalidity)
        counts: Counter[str] = Counter()
        uids = imap.new_uids(box, after)
        for start in range(0, len(uids), BATCH):
            if stop is not None and stop.is_set():
                break
            batch = uids[start:start + BATCH]
            targets: dict[str, list[int]] = {}
            for uid, result in self._record_batch(box, batch):
                target = self.folders.quarantine if result.quarantine else self.folders.processed
                targets.setdefault(target, []).append(uid)
                counts[result.outcome.value] += 1
            for folder, moved in targets.items():
                self._move(box, moved, folder)
            with self.app.uow() as uow:
                mail_cursor.advance(uow, mailbox=self.mailbox, uidvalidity=uidvalidity,
                                    uid=batch[-1], now=self.app.clock())
        mail_poll_succeeded(counts)
        return counts

    def _record_batch(self, box: BaseMailBox,
                      batch: list[int]) -> Iterator[tuple[int, ReplyResult]]:
        heads = imap.headers(box, batch)
        waiting: deque[Future[list[tuple[int, ReplyResult]]]] = deque()
        group: list[tuple[int, IncomingReply]] = []
        group_bytes = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reply-record") as recorder:
            for position, uid in enumerate(batch):
                reply = self._incoming(box, uid, heads[uid]) if uid in heads else None
                if reply is not None:
                    group.append((uid, reply))
                    group_bytes += sum(len(d.content) for d in reply.documents)
                last = position == len(batch) - 1
                if group and (last or len(group) >= GROUP or group_bytes >= GROUP_BYTES):
                    waiting.append(recorder.submit(self._record_group, group))
                    group, group_bytes = [], 0
                while len(waiting) > IN_FLIGHT:
                    yield from waiting.popleft().result()
            while waiting:
                yield from waiting.popleft().result()

    def _incoming(self, box: BaseMailBox, uid: int,
                  head: imap.FetchedMessage) -> IncomingReply | None:
        """Fetch and parse one message; None if it disappeared meanwhile."""
        if head.size_rfc822 > self.max_message_bytes:
            return reply_from_headers(head.raw, head.size_rfc822, mailbox=self.mailbox,
                                      secret=self.secret)
        whole = imap.fetch(box, uid)
        if whole is None:
            return None
        return reply_from_message(whole.raw, mailbox=self.mailbox, secret=self.secret,
                                  limits=self.limits)

    def _record_group(self, group: list[tuple[int, IncomingReply]],
                      ) -> list[tuple[int, ReplyResult]]:
        """Record a group of messages in one transaction: one disk flush instead of one each.

        Nothing is moved before this commit, so a crash inside the group leaves every message
        of it in the inbox, unrecorded, for the next pass.
        """
        results: list[tuple[int, ReplyResult]] = []
        with self.app.uow() as uow:
            for uid, reply in group:
                results.append((uid, record_reply(uow, reply=reply, store=self.app.documents,
                                                  limits=self.limits, now=self.app.clock())))
            uow.commit()
        for (uid, reply), (_, result) in zip(group, results, strict=True):
            # The sender's address is personal data: the log says which message, not who.
            log.info("uid %d %s: %s%s%s", uid, reply.message_id,
                     result.outcome.value, f" ({result.reason})" if result.reason else "",
                     " [already handled]" if result.duplicate else "")
        return results

    def _move(self, box: BaseMailBox, uids: list[int], folder: str) -> None:
        imap.move(box, uids, folder)

    def _idle_session(self, box: BaseMailBox, stop: threading.Event) -> None:
        """Handle new mail, then IDLE until more arrives; return to reconnect in time."""
        started = time.monotonic()
        while not stop.is_set() and time.monotonic() - started < self.session_seconds:
            # Mail that arrived while we worked was announced to commands we ran, not to the
            # IDLE about to start: look again until a pass finds nothing new.
            while self.handle_new(box, stop) and not stop.is_set():
                pass
            box.idle.start()  # type: ignore[no-untyped-call]
            try:
                self._wait_for_mail(stop, box, started)
            finally:
                box.idle.stop()  # type: ignore[no-untyped-call]

    def _wait_for_mail(self, stop: threading.Event, box: BaseMailBox, started: float) -> None:
        quick_empty = 0
        while not stop.is_set() and time.monotonic() - started < self.session_seconds:
            before = time.monotonic()
            if imap.idle_responses(box, self.tick_seconds):
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
