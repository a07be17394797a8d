"""``/statement``: the company's statement workbook (devices, statuses, cashback, payments)."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.constants import ChatAction

from bot.telegram.turn import Context, Turn
from core.statement import build_statement
from storage.services.reports import statement_data


async def statement(update: Update, context: Context) -> None:
    """Send the linked company's statement in the user's language."""
    turn = await Turn.begin(update, context)
    if not await turn.require_company():
        return
    await context.bot.send_chat_action(turn.chat_id, ChatAction.UPLOAD_DOCUMENT)
    workbook = await turn.db(_statement, turn)
    assert turn.company is not None
    day = turn.now().astimezone(turn.campaign.timezone).date()
    await context.bot.send_document(
        turn.chat_id, InputFile(workbook, filename=f"cashback-{turn.company.customer_number}-"
                                                  f"{day:%Y-%m-%d}.xlsx"),
        caption=turn.t.gettext("Your cashback statement: every device, its status and "
                               "amount, and the payments."))


def _statement(turn: Turn) -> bytes:
    assert turn.company is not None
    with turn.app.uow() as uow:
        data = statement_data(uow.session, turn.company.id, now=turn.now())
    return build_statement(data, turn.campaign, turn.language, turn.t)
