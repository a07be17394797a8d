"""Running the dispatcher: wired from the app, in the foreground or in a thread of its own."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.bootstrap import App
from bot.loop_thread import LoopThread
from bot.mail.outbound import MailIdentity, SmtpConfig
from bot.outbox.chat import ChatSender
from bot.outbox.dispatcher import Dispatcher, DispatchReport
from bot.outbox.operators import OperatorAnnouncer
from core.i18n import Translator


def make_dispatcher(app: App, smtp: SmtpConfig, chat: ChatSender | None = None,
                    operators: OperatorAnnouncer | None = None) -> Dispatcher:
    """A dispatcher over the app's database, campaigns and clock, sending through ``smtp``."""
    return Dispatcher(engine=app.engine, campaigns=app.campaigns,
                      identity=MailIdentity.from_settings(app.settings), smtp=smtp,
                      clock=app.clock, chat=chat,
                      operator_chat=app.settings.operator_chat_id is not None,
                      operators=operators)


def transport_text(t: Translator, smtp: SmtpConfig, sandbox_folder: Path | None) -> str:
    """Where e-mail goes, said once at start."""
    if sandbox_folder is not None:
        return t.gettext("No CASHBACK_SMTP_HOST is set: e-mails go to a local SMTP sink on this "
                         "machine and are saved in %(folder)s.") % {"folder": sandbox_folder}
    return t.gettext("E-mail notifications are sent through %(host)s:%(port)d.") % {
        "host": smtp.host, "port": smtp.port}


def run_until_signal(dispatcher: Dispatcher) -> None:
    """Dispatch in the foreground until SIGINT or SIGTERM (``cashback outbox run``)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await dispatcher.run_forever(stop)

    asyncio.run(main())


class OutboxWorker(LoopThread):
    """The dispatcher in a background thread with its own event loop (``cashback run``).

    The runner's scheduled jobs are synchronous; a thread lets the outbox be delivered while
    they wait, and :meth:`stop` ends it cleanly (the row being sent is finished first).
    """

    def __init__(self, dispatcher: Dispatcher, idle_seconds: float = 5.0) -> None:
        super().__init__("outbox")
        self.dispatcher = dispatcher
        self.idle_seconds = idle_seconds

    async def serve(self, stop: asyncio.Event) -> None:
        """Deliver until stopped."""
        self.ready()
        await self.dispatcher.run_forever(stop, self.idle_seconds)

    def run_once(self) -> DispatchReport:
        """One pass in the calling thread (``--once``)."""
        return asyncio.run(self.dispatcher.run_once())
