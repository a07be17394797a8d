"""The chat channel inside ``cashback run``: the bot in a thread with its own event loop.

With a token it talks to Telegram (or ``TELEGRAM_BASE_URL``); without one it starts the local
Bot API server on 127.0.0.1 with the sandbox chat page, and the bot talks to that instead.
Polling or webhook as the settings say. The outbox dispatcher reaches users through
:attr:`ChatChannel.sender`, whichever thread it runs in.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from bot.bootstrap import App
from bot.loop_thread import LoopThread
from bot.operator_chat.announce import TelegramOperatorAnnouncer
from bot.sandbox_mail import sandbox_mail_folder
from bot.telegram.application import BotApplication, Endpoint, build_application
from bot.telegram.sender import TelegramChatSender
from bot.telegram.serve import WebhookServer, start, stop, webhook_from_settings
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import World
from sandbox.chat_page import ChatPage

log = logging.getLogger("cashback.telegram")
SANDBOX_TOKEN = "100000001:sandbox-token-on-loopback"
LOOPBACK = "127.0.0.1"


def recent_mail(folder: Path, count: int = 5) -> list[tuple[str, str]]:
    """Subject and text of the newest e-mails the sandbox SMTP sink saved, newest first."""
    found: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:count]:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if isinstance(body, EmailMessage) else ""
        found.append((str(message["Subject"] or ""), str(text)))
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class ChatChannel(LoopThread):
    """Start with :meth:`start`, stop with :meth:`stop`; :attr:`page_url` in the sandbox."""

    def __init__(self, app: App) -> None:
        super().__init__("telegram")
        self.app = app
        self.sender: TelegramChatSender | None = None
        self.operators: TelegramOperatorAnnouncer | None = None
        self.page_url: str | None = None
        self.mode = app.settings.telegram_mode

    async def serve(self, stop_event: asyncio.Event) -> None:
        """Connect the bot (and the sandbox server), answer until stopped, disconnect."""
        settings = self.app.settings
        # httpx logs every request at INFO: one line per long poll is noise, not news.
        logging.getLogger("httpx").setLevel(max(logging.WARNING, log.getEffectiveLevel()))
        server: BotApiServer | None = None
        if settings.sandbox:
            world = World(token=SANDBOX_TOKEN)
            page = ChatPage(world, lambda: recent_mail(sandbox_mail_folder(settings)))
            server = BotApiServer(world, port=settings.sandbox_port, extra_routes=page.routes)
            try:
                await server.start()
            except OSError as busy:
                # Another program (or another sandbox) has the port: any free one will do,
                # the address is printed at start.
                log.warning("port %d is not available (%s); using a free one",
                            settings.sandbox_port, busy)
                server = BotApiServer(world, port=0, extra_routes=page.routes)
                await server.start()
            self.page_url = server.url
            endpoint = Endpoint(server.base_url, server.base_file_url)
            token = SANDBOX_TOKEN
        else:
            endpoint = Endpoint(settings.telegram_base_url, settings.telegram_base_file_url)
            assert settings.telegram_bot_token is not None
            token = settings.telegram_bot_token
        application = build_application(self.app, token, endpoint=endpoint)
        try:
            await start(application, self._webhook())
            self.sender = TelegramChatSender(application.bot, self.loop)
            if settings.operator_chat_id is not None:
                self.operators = TelegramOperatorAnnouncer(self.app, application.bot, self.loop,
                                                           settings.operator_chat_id)
            self.ready()
            await stop_event.wait()
        finally:
            await _stop_quietly(application)
            if server is not None:
                await server.stop()

    def _webhook(self) -> WebhookServer | None:
        settings = self.app.settings
        if settings.telegram_mode != "webhook":
            return None
        if settings.sandbox:
            # The sandbox server posts to a local webhook, exactly as Telegram would.
            port = _free_port()
            return WebhookServer(LOOPBACK, port, "telegram", f"http://{LOOPBACK}:{port}/telegram",
                                 secrets.token_urlsafe(24))
        return webhook_from_settings(settings)


async def _stop_quietly(application: BotApplication) -> None:
    try:
        await stop(application)
    except Exception:
        log.exception("the Telegram application did not stop cleanly")
