"""The chat side of the outbox: one text to one Telegram user, with a verdict on failure.

The outbox dispatcher may run in another thread and event loop than the bot (``cashback
run`` gives each its own); PTB's HTTP client belongs to the bot's loop, so a send from
elsewhere is handed over to that loop and awaited from where it was asked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.outbox.errors import PermanentFailure, TemporaryFailure

log = logging.getLogger("cashback.telegram")


class TelegramChatSender:
    """Implements :class:`bot.outbox.chat.ChatSender` with the running bot."""

    def __init__(self, bot: Bot, loop: asyncio.AbstractEventLoop) -> None:
        self.bot = bot
        self.loop = loop

    async def send(self, chat_user_telegram_id: int, text: str, *, key: str,
                   buttons: Sequence[tuple[str, str]] = ()) -> None:
        """Deliver ``text``; PermanentFailure if it can never arrive, else TemporaryFailure."""
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]
                                       for label, data in buttons]) if buttons else None
        sending = self._send(chat_user_telegram_id, text, key, markup)
        if asyncio.get_running_loop() is self.loop:
            await sending
            return
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(sending, self.loop))

    async def _send(self, telegram_user_id: int, text: str, key: str,
                    markup: InlineKeyboardMarkup | None) -> None:
        try:
            await self.bot.send_message(telegram_user_id, text, reply_markup=markup)
        except Forbidden as refused:
            # Blocked the bot or deleted the account: no retry will change that.
            raise PermanentFailure(f"{key}: {refused.message}") from refused
        except BadRequest as bad:
            # "chat not found", a text Telegram refuses: the same request fails every time.
            raise PermanentFailure(f"{key}: {bad.message}") from bad
        except TelegramError as error:
            # Network trouble, timeouts, 429 after the rate limiter's own retries, 5xx.
            log.info("chat notice %s not sent yet: %s", key, error)
            raise TemporaryFailure(f"{key}: {error}") from error
