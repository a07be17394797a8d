"""Typed text goes to the conversation the user is in; outside one, a friendly guess."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.handlers import documents, labels, link, register, template
from bot.telegram.claim_text import parse_one_line
from bot.telegram.files import incoming_file
from bot.telegram.turn import Context, Turn

Step = Callable[[Turn, str], Awaitable[None]]
# Steps that need a linked company are listed in NEEDS_COMPANY.
STEPS: dict[str, Step] = {
    link.ASK_NUMBER: link.customer_number,
    link.ASK_CODE: link.code,
    register.ASK_SERIALS: register.serials_typed,
    register.ASK_PRODUCT: register.product_typed,
    register.ASK_DATE: register.date_typed,
    labels.CORRECTING: labels.corrected_typed,
}
NEEDS_COMPANY = {register.ASK_SERIALS, register.ASK_PRODUCT, register.ASK_DATE,
                 labels.CORRECTING}


def add_step(state: str, step: Step, *, needs_company: bool = True) -> None:
    """Let another conversation module receive typed text in its own state."""
    STEPS[state] = step
    if needs_company:
        NEEDS_COMPANY.add(state)


async def text_message(update: Update, context: Context) -> None:
    """Route typed text by the user's conversation state."""
    turn = await Turn.begin(update, context)
    message = update.effective_message
    text = (message.text if message else None) or ""
    step = STEPS.get(turn.conversation.state)
    if step is not None:
        if turn.conversation.state not in NEEDS_COMPANY or await turn.require_company():
            await step(turn, text)
        return
    if turn.company is not None and parse_one_line(text) is not None:
        await register.serials_typed(turn, text)
        return
    t = turn.t
    hint = (t.gettext("To register a device, send /register, or everything in one line, e.g. "
                      "%(example)s") % {"example": "3000000007 STP-SE 15/06/2026"}
            if turn.company else
            t.gettext("To begin, link your company: send /link and your SMA customer number."))
    await turn.reply(t.gettext("I did not understand that.") + " " + hint + "\n"
                   + t.gettext("/help lists everything I can do."))


async def file_message(update: Update, context: Context) -> None:
    """A document or photo: documents for a request, a bulk template, or a type label."""
    turn = await Turn.begin(update, context)
    if not await turn.require_company():
        return
    incoming = incoming_file(update.effective_message)
    if incoming is None:
        return
    settings = turn.app.settings
    if incoming.size is not None and incoming.size > settings.chat_max_upload_bytes:
        await turn.reply(turn.t.gettext(
            "This file is too large: I can receive files up to %(limit)d MB.") % {
            "limit": settings.chat_max_upload_bytes // (1024 * 1024)})
        return
    collecting = turn.conversation.state in (documents.WAITING, documents.CHOOSING)
    if incoming.template_like and not collecting:
        await template.import_upload(turn, incoming)
    elif (labels.image_like(incoming) and not collecting
          and await documents.replied_serial(turn) is None):
        await labels.photo_received(turn, incoming)
    else:
        await documents.file_received(turn, incoming)


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have."""
    turn = await Turn.begin(update, context)
    await turn.reply(turn.t.gettext("I do not know this command. /help lists everything I can do."))
