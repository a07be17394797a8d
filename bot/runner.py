"""``cashback run``: the long-running assistant process and its scheduled jobs.

Its parts (``bot.parts``: chat channel, reply poller, outbox, scheduled jobs) run together by
default, or some of them with ``--only``; each is safe beside copies of itself in other
processes, and each finishes what it has in hand when SIGTERM or SIGINT asks it to stop.
"""

from __future__ import annotations

import logging
import signal
import threading
from contextlib import ExitStack
from datetime import timedelta
from types import FrameType

from bot.bootstrap import App, bootstrap
from bot.mail.inbound import start_in_background
from bot.observability.logs import configure_logging
from bot.observability.metrics import job_run
from bot.observability.server import observing
from bot.outbox.chat import ChatSender
from bot.outbox.operators import OperatorAnnouncer
from bot.outbox.worker import OutboxWorker, make_dispatcher, transport_text
from bot.parts import BOT, JOBS, MAIL, OUTBOX, PARTS
from bot.portal_job import run_portal_job
from bot.sandbox import SANDBOX_COMPANIES, demo_serial, seed_sandbox, write_label_photos
from bot.sandbox_mail import mail_transport
from bot.settings import Settings
from bot.telegram.channel import ChatChannel
from bot.telegram.send_only import SendingBot
from core.i18n import Translator
from storage.services.deadlines import expire_overdue, send_reminders
from storage.services.job_runs import claim_period, period_of
from storage.services.retention import purge_paid_documents

log = logging.getLogger("cashback.runner")


def run_jobs(app: App, *, period: int | None = None) -> tuple[int, int]:
    """One pass of the clock's work: expire, remind, then apply the documents' retention.

    With ``period`` each job first claims that period (``storage.services.job_runs``) in its
    own transaction, and a job another runner already ran for it is skipped (counted 0).
    Retention needs no claim: deleting what is already deleted changes nothing.
    """
    done = []
    for job, work in (("expire_overdue", expire_overdue), ("send_reminders", send_reminders)):
        with app.uow() as uow:
            now = app.clock()
            if period is not None and not claim_period(uow, job=job, period=period, now=now):
                log.info("jobs: %s already ran for this period", job)
                done.append(0)
                continue
            with job_run(job):
                done.append(work(uow, campaigns=app.campaigns, now=now))
    purge_documents(app)
    return done[0], done[1]


def _portal_transfer(app: App) -> None:
    """The daily Sunny Portal import; a failure is logged and tried again next pass."""
    try:
        run_portal_job(app)
    except Exception:
        log.exception("portal transfer failed; trying again at the next pass")


def purge_documents(app: App) -> int:
    """Delete the files of documents paid longer ago than the retention setting (if set)."""
    days = app.settings.documents_retention_days
    if days is None:
        return 0
    now = app.clock()
    with job_run("purge_documents"), app.uow() as uow:
        purged = purge_paid_documents(uow, store=app.documents,
                                      paid_on_or_before=now.date() - timedelta(days=days),
                                      now=now)
    if purged:
        log.info("retention: files of %d documents paid over %d days ago deleted", purged, days)
    return purged


def start_chat(app: App, t: Translator) -> ChatChannel:
    """Start the Telegram channel and say where to chat with it."""
    chat = ChatChannel(app)
    chat.start()
    if chat.page_url is not None:
        print(t.gettext("Chat with the bot as an installer: open %(url)s in a browser (the "
                        "link code e-mail shows up on the same page). Customer numbers: "
                        "%(numbers)s.") % {
            "url": chat.page_url,
            "numbers": ", ".join(c.customer_number for c in SANDBOX_COMPANIES)})
    else:
        print(t.gettext("Telegram: the bot is connected (%(mode)s).") % {"mode": chat.mode})
    return chat


def run(settings: Settings, t: Translator, *, once: bool = False,
        parts: frozenset[str] = frozenset(PARTS)) -> int:
    """Start the assistant (or the ``parts`` asked for) and run until SIGINT or SIGTERM.

    On a signal each part finishes what it has in hand (the chat updates being handled, the
    outbox row being sent, the batch of replies being recorded) and the process exits 0.
    """
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Set before anything starts (even the migrations), so a signal during start-up is a clean
    # stop too; restored on the way out, so a caller (a test, an embedding process) keeps its
    # own.
    previous = {number: signal.signal(number, request_stop)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        _start_and_serve(settings, t, stop, parts, once=once)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    print(t.gettext("Stopped."))
    return 0


def _start_and_serve(settings: Settings, t: Translator, stop: threading.Event,
                     parts: frozenset[str], *, once: bool) -> None:
    configure_logging(level=settings.log_level, json_lines=settings.json_logs)
    log.info("starting: %s", ", ".join(part for part in PARTS if part in parts))
    app = bootstrap(settings)
    try:
        _announce_and_serve(app, settings, t, stop, parts, once=once)
    finally:
        app.engine.dispose()


def _announce_and_serve(app: App, settings: Settings, t: Translator, stop: threading.Event,
                        parts: frozenset[str], *, once: bool) -> None:
    if settings.sandbox:
        print(t.gettext("Sandbox mode: no TELEGRAM_BOT_TOKEN is set, so nothing leaves this "
                        "machine. Database: %(database)s") % {
            "database": settings.resolved_database_url})
        seeded = seed_sandbox(app)
        if seeded:
            print(t.gettext("Loaded the sandbox's demo companies and 200 demo devices."))
        company = SANDBOX_COMPANIES[0]
        serial = demo_serial(app, company.campaign_code, "STP-SE")
        if seeded and not once and BOT in parts:  # for the chat page only
            photos = write_label_photos(app, serial)
            print(t.gettext("Photos of a type label to send on the chat page (📎): %(files)s")
                  % {"files": ", ".join(str(p) for p in photos)})
        print(t.gettext("Try, in another terminal:"))
        print(f"  .venv/bin/cashback register --campaign {company.campaign_code} "
              f"--company {company.customer_number} --serial {serial} --product STP-SE "
              f"--installed 2026-06-01")
        print(f"  .venv/bin/cashback status --company {company.customer_number}")
    if parts != frozenset(PARTS):
        print(t.gettext("Running only: %(parts)s.") % {
            "parts": ", ".join(part for part in PARTS if part in parts)})
        if MAIL in parts and not settings.imap_host:
            print(t.gettext("No IMAP server is configured (CASHBACK_IMAP_HOST), so there is no "
                            "mailbox to read."))
    if stop.is_set():
        return
    with observing(app.engine, app.clock, listen=settings.metrics_listen,
                   port=settings.metrics_port):
        _serve(app, settings, t, stop, parts, once=once)


def _serve(app: App, settings: Settings, t: Translator, stop: threading.Event,
           parts: frozenset[str], *, once: bool) -> None:
    """Run the chosen parts until ``stop``; then stop them, each finishing what it holds."""
    chat = start_chat(app, t) if BOT in parts and not once else None
    replies = start_in_background(app, stop, once=once) if MAIL in parts else None
    try:
        with ExitStack() as stack:
            outbox = _start_outbox(app, settings, t, stack, chat, once=once) \
                if OUTBOX in parts else None
            if JOBS in parts:
                print(t.gettext("The scheduled jobs (deadlines and reminders) run every "
                                "%(seconds)d seconds. Stop with Ctrl+C.")
                      % {"seconds": int(settings.jobs_interval_seconds)})
            _run_jobs_until(app, settings, stop, JOBS in parts, once=once)
            if not once:
                log.info("stop requested: finishing what is in hand")
            if once and outbox is not None:
                outbox.run_once()
            if outbox is not None:
                outbox.stop()
    finally:
        if chat is not None:
            chat.stop()
        if replies is not None:
            replies.join()


def _start_outbox(app: App, settings: Settings, t: Translator, stack: ExitStack,
                  chat: ChatChannel | None, *, once: bool) -> OutboxWorker:
    """The dispatcher, sending chat notices through the channel or a sending-only bot."""
    smtp, mail_folder = stack.enter_context(mail_transport(settings))
    print(transport_text(t, smtp, mail_folder))
    sender: ChatSender | None = chat.sender if chat is not None else None
    operators: OperatorAnnouncer | None = chat.operators if chat is not None else None
    if chat is None and not settings.sandbox:
        sending = SendingBot(app)
        sending.start()
        stack.callback(sending.stop)
        sender, operators = sending.sender, sending.operators
    outbox = OutboxWorker(make_dispatcher(app, smtp, sender, operators))
    if not once:
        outbox.start()
        stack.callback(outbox.stop)
    return outbox


def _run_jobs_until(app: App, settings: Settings, stop: threading.Event, jobs: bool, *,
                    once: bool) -> None:
    """The scheduled jobs, once per period (aligned on the clock), or just wait for ``stop``."""
    interval = settings.jobs_interval_seconds
    while not stop.is_set():
        if jobs:
            now = app.clock()
            try:
                expired, reminded = run_jobs(app, period=period_of(now, interval))
                log.info("jobs: %d requests expired, %d reminders queued", expired, reminded)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the process
                log.exception("scheduled jobs failed; trying again next period")
            _portal_transfer(app)
            # Until the next period begins: runners wake together and meet on its claim.
            wait = interval - app.clock().timestamp() % interval
        else:
            wait = interval
        if once:
            return
        stop.wait(wait)
