"""When a handler fails: log everything for us, say something kind to the user, never more."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.observability.updates import update_failed
from bot.telegram.guards import first_contact_translator
from bot.telegram.turn import Context

log = logging.getLogger("cashback.telegram")


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its traceback; apologise in the chat without any detail."""
    error = context.error
    if isinstance(error, Forbidden):
        # The user blocked the bot: nothing to answer, nobody to answer to.
        log.info("user blocked the bot: %s", error)
        return
    update_failed()
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    t = first_contact_translator(update)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, t.gettext(
            "Sorry, something went wrong on my side. Please try again in a moment. "
            "If it keeps happening, the campaign team will look into it."))
    except TelegramError as failure:
        log.warning("could not apologise for update %s: %s", update_id, failure)
