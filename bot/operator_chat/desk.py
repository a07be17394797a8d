"""The operators' chat: decision buttons, the reason for a rejection, ``/pay``.

Every update from the operators' chat comes here, before the guard that keeps company data
out of groups. Only the configured operators may act; anyone else pressing a button gets a
polite refusal and nothing changes. Decisions call the command line's services with the
operator's configured name, so the audit trail and the company's notices are the same.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from telegram import ForceReply, Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, BaseHandler

from bot.i18n import translator
from bot.operator_chat import actions
from bot.operator_chat.announce import TelegramOperatorAnnouncer
from bot.operator_chat.notice import (
    APPROVE,
    ASK,
    ASK_KIND,
    KINDS,
    REJECT,
    SHOW,
    kind_buttons,
    queue_text,
)
from bot.telegram.turn import Context, keyboard
from core.i18n import LocalizedError, Translator
from core.statuses import IllegalTransition

T = TypeVar("T")
_DATA = re.compile(r"op:([arqks]):(\d{1,12})(?::(\d{1,2}))?")


class OperatorChatHandler(BaseHandler[Update, Context, None]):
    """Takes every update from the operators' chat; other chats go on to the usual guards."""

    def __init__(self, chat_id: int) -> None:
        super().__init__(operator_update)
        self.chat_id = chat_id

    def check_update(self, update: object) -> bool:
        """Whether ``update`` comes from the operators' chat."""
        return (isinstance(update, Update) and update.effective_chat is not None
                and update.effective_chat.id == self.chat_id)


async def operator_update(update: Update, context: Context) -> None:
    """Act on a button, a reason or a command from the operators' chat; nothing else runs."""
    app = context.cashback
    t = translator(app.settings.default_language)
    user = update.effective_user
    operator = app.settings.operator_names.get(user.id) if user else None
    query = update.callback_query
    message = update.effective_message
    if query is not None:
        if operator is None:
            await query.answer(t.gettext("Only the campaign's operators can decide here. "
                                         "Nothing was changed."), show_alert=True)
        else:
            await query.answer()
            assert user is not None
            await _pressed(context, t, operator, user.id, str(query.data), query.message)
    elif isinstance(message, Message) and message.text and user is not None:
        await _typed(context, t, operator, user.id, message)
    raise ApplicationHandlerStop


async def _pressed(context: Context, t: Translator, operator: str, user_id: int, data: str,
                   message: object) -> None:
    app = context.cashback
    match = _DATA.fullmatch(data)
    if match is None or not isinstance(message, Message):
        return
    registration_id = int(match[2])
    if data.startswith(SHOW):
        announcer = TelegramOperatorAnnouncer(app, context.bot, asyncio.get_running_loop(),
                                              message.chat_id)
        await announcer.announce(registration_id, key=f"show-{registration_id}")
        return
    if data.startswith(ASK):
        await message.edit_reply_markup(keyboard(kind_buttons(registration_id, t)))
        return
    if data.startswith(REJECT):
        await _db(context, actions.remember_rejection, app, user_id, registration_id,
                  message.message_id)
        await message.reply_text(
            t.gettext("%(operator)s, please reply to this message with the reason for the "
                      "rejection; the company will read it.") % {"operator": operator},
            reply_markup=ForceReply(selective=True))
        return
    if data.startswith(APPROVE):
        decide: Callable[[], str] = functools.partial(
            actions.approve, app, t, registration_id, operator)
    elif data.startswith(ASK_KIND) and match[3] is not None and int(match[3]) < len(KINDS):
        decide = functools.partial(actions.ask, app, t, registration_id, operator,
                                   KINDS[int(match[3])])
    else:
        return
    outcome = await _outcome(context, t, decide)
    text = message.text or ""
    await message.edit_text(f"{text}\n\n{outcome}"[:4000], reply_markup=None)


async def _typed(context: Context, t: Translator, operator: str | None, user_id: int,
                 message: Message) -> None:
    app = context.cashback
    text = message.text or ""
    command = text.split(maxsplit=1)[0].split("@", 1)[0].lower() if text.startswith("/") else ""
    if operator is None:
        if command:
            await message.reply_text(t.gettext("Only the campaign's operators can use the "
                                               "assistant here."))
        return
    if command == "/pay":
        answer = await _outcome(context, t, functools.partial(
            actions.pay, app, t, operator, text.split()[1:]))
        await message.reply_text(answer)
    elif command in ("/help", "/start"):
        await message.reply_text(actions.help_text(t))
    elif command == "/review":
        items = await _db(context, actions.queue, app)
        text, buttons = queue_text(items, t, app.settings.default_language)
        await message.reply_text(text, reply_markup=keyboard(buttons))
    elif not command:
        pending = await _db(context, actions.pending_rejection, app, user_id)
        if pending is not None:
            registration_id, notice_id = pending
            answer = await _outcome(context, t, functools.partial(
                actions.reject, app, t, registration_id, operator, text, user_id))
            await message.reply_text(answer)
            try:  # the notice's buttons are spent
                await context.bot.edit_message_reply_markup(message.chat_id, notice_id,
                                                            reply_markup=None)
            except BadRequest:
                pass  # already without buttons, or deleted


async def _outcome(context: Context, t: Translator, decide: Callable[[], str]) -> str:
    """What a decision did, or why it changed nothing."""
    try:
        return await _db(context, decide)
    except IllegalTransition as refused:
        return actions.not_possible(refused, t)
    except LocalizedError as error:
        return error.text(t)


async def _db(context: Context, function: Callable[..., T], *args: Any) -> T:
    """Database work off the event loop, in the chat's database threads."""
    return await asyncio.get_running_loop().run_in_executor(
        context.database_threads, functools.partial(function, *args))
