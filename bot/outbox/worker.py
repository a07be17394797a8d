"""Running the dispatcher: wired from the app, in the foreground or in a thread of its own."""

from __future__ import annotations

import asyncio
import signal
import threading
from pathlib import Path

from bot.bootstrap import App
from bot.mail.outbound import MailIdentity, SmtpConfig
from bot.outbox.chat import ChatSender
from bot.outbox.dispatcher import Dispatcher, DispatchReport
from core.i18n import Translator


def make_dispatcher(app: App, smtp: SmtpConfig, chat: ChatSender | None = None) -> Dispatcher:
    """A dispatcher over the app's database, campaigns and clock, sending through ``smtp``."""
    return Dispatcher(engine=app.engine, campaigns=app.campaigns,
                      identity=MailIdentity.from_settings(app.settings), smtp=smtp,
                      clock=app.clock, chat=chat)


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


class OutboxWorker:
    """The dispatcher in a background thread with its own event loop (``cashback run``).

    The runner's scheduled jobs are synchronous; a thread lets the outbox be delivered while
    they wait, and :meth:`stop` ends it cleanly (the row being sent is finished first).
    """

    def __init__(self, dispatcher: Dispatcher, idle_seconds: float = 5.0) -> None:
        self.dispatcher = dispatcher
        self.idle_seconds = idle_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start delivering in the background."""
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()
        self._ready.wait()

    def stop(self) -> None:
        """Finish the current row, then stop."""
        if self._thread is None:
            return
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
        self._thread = None

    def run_once(self) -> DispatchReport:
        """One pass in the calling thread (``--once``)."""
        return asyncio.run(self.dispatcher.run_once())

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await self.dispatcher.run_forever(self._stop, self.idle_seconds)

        try:
            asyncio.run(main())
        finally:
            self._ready.set()  # never leave start() waiting, even if the loop failed to start
