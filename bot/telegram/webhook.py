"""Receiving updates by webhook: an aiohttp server that hands them to the application.

PTB's own webhook server (tornado, in its ``Updater``) does the same for about twice the CPU
per update; aiohttp is already a dependency (see BENCHMARKS.md, "Chat updates"). As Telegram
asks: a wrong secret token is refused with 403, and an update is acknowledged (200) as soon
as it is queued, not when it has been handled.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass

from aiohttp import web
from telegram import Update

from bot.telegram.application import BotApplication

log = logging.getLogger("cashback.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
# How many update POSTs Telegram may have in flight at once (its default).
MAX_CONNECTIONS = 40


@dataclass(frozen=True)
class WebhookServer:
    """Where the webhook server listens, and the public URL Telegram posts to."""

    listen: str
    port: int
    url_path: str
    url: str
    secret_token: str


class WebhookReceiver:
    """Listens on ``webhook.listen:port`` at ``/url_path`` until :meth:`stop`."""

    def __init__(self, application: BotApplication, webhook: WebhookServer) -> None:
        self.application = application
        self.webhook = webhook
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen, then tell the Bot API server where to post."""
        server = web.Application(client_max_size=MAX_UPDATE_BYTES)
        server.router.add_post("/" + self.webhook.url_path.lstrip("/"), self._receive)
        self._runner = web.AppRunner(server, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.webhook.listen, self.webhook.port).start()
        await self.application.bot.set_webhook(
            self.webhook.url, secret_token=self.webhook.secret_token,
            allowed_updates=Update.ALL_TYPES, max_connections=MAX_CONNECTIONS)

    async def stop(self) -> None:
        """Stop listening (the webhook stays set: another process may be serving it)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook.secret_token.encode()):
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError) as error:
            log.warning("a webhook call that is not an update: %s", error)
            return web.Response(status=400)
        await self.application.update_queue.put(update)
        return web.Response()
