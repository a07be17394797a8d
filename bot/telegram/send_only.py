"""The bot's sending half alone, for an outbox worker started without the chat channel.

``cashback run --only outbox`` receives no updates (another process does), but chat
notifications still have to go out: this connects the bot to the Bot API for sending only,
with the same rate limiter as the full channel, in a thread with its own event loop.
"""

from __future__ import annotations

import asyncio

from telegram.ext import AIORateLimiter, ExtBot

from bot.bootstrap import App
from bot.loop_thread import LoopThread
from bot.operator_chat.announce import TelegramOperatorAnnouncer
from bot.telegram.application import SEND_RETRIES
from bot.telegram.http import AiohttpRequest
from bot.telegram.sender import TelegramChatSender


class SendingBot(LoopThread):
    """Start with :meth:`start`; :attr:`sender` then reaches users; :meth:`stop` disconnects."""

    def __init__(self, app: App) -> None:
        super().__init__("telegram-send")
        self.app = app
        self.sender: TelegramChatSender | None = None
        self.operators: TelegramOperatorAnnouncer | None = None

    async def serve(self, stop: asyncio.Event) -> None:
        """Connect, offer the sender until stopped, disconnect."""
        settings = self.app.settings
        assert settings.telegram_bot_token is not None
        bot: ExtBot[int] = ExtBot(
            settings.telegram_bot_token,
            base_url=settings.telegram_base_url or "https://api.telegram.org/bot",
            base_file_url=settings.telegram_base_file_url or "https://api.telegram.org/file/bot",
            rate_limiter=AIORateLimiter(overall_max_rate=settings.chat_send_rate,
                                        max_retries=SEND_RETRIES),
            request=AiohttpRequest())
        await bot.initialize()
        try:
            self.sender = TelegramChatSender(bot, self.loop)
            if settings.operator_chat_id is not None:
                self.operators = TelegramOperatorAnnouncer(self.app, bot, self.loop,
                                                           settings.operator_chat_id)
            self.ready()
            await stop.wait()
        finally:
            await bot.shutdown()
