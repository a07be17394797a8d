"""``cashback run``: the long-running assistant process and its scheduled jobs."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from bot.bootstrap import App, bootstrap
from bot.mail.inbound import start_in_background
from bot.outbox.worker import OutboxWorker, make_dispatcher, transport_text
from bot.sandbox import SANDBOX_COMPANIES, demo_serial, seed_sandbox
from bot.sandbox_mail import mail_transport
from bot.settings import Settings
from bot.telegram.channel import ChatChannel
from core.i18n import Translator
from storage.services.deadlines import expire_overdue, send_reminders

log = logging.getLogger("cashback.runner")


def run_jobs(app: App) -> tuple[int, int]:
    """One pass of the clock's work: expire overdue requests, then send due reminders."""
    with app.uow() as uow:
        expired = expire_overdue(uow, campaigns=app.campaigns, now=app.clock())
    with app.uow() as uow:
        reminded = send_reminders(uow, campaigns=app.campaigns, now=app.clock())
    return expired, reminded


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


def run(settings: Settings, t: Translator, *, once: bool = False) -> int:
    """Start the assistant and keep it running until SIGINT or SIGTERM."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = bootstrap(settings)
    if settings.sandbox:
        print(t.gettext("Sandbox mode: no TELEGRAM_BOT_TOKEN is set, so nothing leaves this "
                        "machine. Database: %(database)s") % {
            "database": settings.resolved_database_url})
        if seed_sandbox(app):
            print(t.gettext("Loaded the sandbox's demo companies and 200 demo devices."))
        company = SANDBOX_COMPANIES[0]
        serial = demo_serial(app, company.campaign_code, "STP-SE")
        print(t.gettext("Try, in another terminal:"))
        print(f"  .venv/bin/cashback register --campaign {company.campaign_code} "
              f"--company {company.customer_number} --serial {serial} --product STP-SE "
              f"--installed 2026-06-01")
        print(f"  .venv/bin/cashback status --company {company.customer_number}")
    chat = None if once else start_chat(app, t)
    print(t.gettext("The scheduled jobs (deadlines and reminders) run every %(seconds)d "
                    "seconds. Stop with Ctrl+C.")
          % {"seconds": int(settings.jobs_interval_seconds)})
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Restored on the way out, so a caller (a test, an embedding process) keeps its own.
    previous = {number: signal.signal(number, request_stop)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        _serve(app, settings, t, stop, chat, once=once)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    print(t.gettext("Stopped."))
    app.engine.dispose()
    return 0


def _serve(app: App, settings: Settings, t: Translator, stop: threading.Event,
           chat: ChatChannel | None, *, once: bool) -> None:
    """Run the reply poller, the outbox dispatcher and the scheduled jobs until ``stop``."""
    replies = start_in_background(app, stop, once=once)
    with mail_transport(settings) as (smtp, mail_folder):
        print(transport_text(t, smtp, mail_folder))
        outbox = OutboxWorker(make_dispatcher(app, smtp, chat.sender if chat else None,
                                              chat.operators if chat else None))
        if not once:
            outbox.start()
        try:
            while not stop.is_set():
                expired, reminded = run_jobs(app)
                log.info("jobs: %d requests expired, %d reminders queued", expired, reminded)
                if once:
                    outbox.run_once()
                    break
                stop.wait(settings.jobs_interval_seconds)
        finally:
            outbox.stop()
            if chat is not None:
                chat.stop()
    if replies is not None:
        replies.join()
