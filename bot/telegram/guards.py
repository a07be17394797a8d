"""What runs before any conversation: throttling, and company data only in private chats."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.i18n import language_or_default, translator
from bot.telegram.throttle import Decision, Throttle
from bot.telegram.turn import Context
from core.i18n import Translator

log = logging.getLogger("cashback.telegram")


def first_contact_translator(update: Update) -> Translator:
    """The user's language as Telegram reports it, for answers given before any lookup."""
    user = update.effective_user
    return translator(language_or_default(user.language_code if user else None))


class ThrottleGuard:
    """Drops a user's updates beyond the limit, telling them once per window."""

    def __init__(self, throttle: Throttle) -> None:
        self.throttle = throttle

    async def __call__(self, update: Update, context: Context) -> None:
        """Let the update through, or stop it here."""
        user = update.effective_user
        if user is None:
            return
        decision = self.throttle.check(user.id)
        if decision is Decision.ALLOW:
            return
        if decision is Decision.WARN and update.effective_chat is not None:
            log.info("throttling the sender of this update")  # the update id is on the line
            t = first_contact_translator(update)
            await context.bot.send_message(update.effective_chat.id, t.gettext(
                "You are going a bit fast for me. Please wait a few seconds and try again."))
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop


async def private_chats_only(update: Update, context: Context) -> None:
    """Company data never goes to a group: commands there get a polite refusal."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    message = update.effective_message
    text = message.text if isinstance(message, Message) else None
    addressed = update.callback_query is not None or (text or "").startswith("/")
    if addressed:
        t = first_contact_translator(update)
        await context.bot.send_message(chat.id, t.gettext(
            "I only work in a private chat, so that your company's data stays private. "
            "Please write to me directly."))
        if update.callback_query is not None:
            await update.callback_query.answer()
    raise ApplicationHandlerStop
