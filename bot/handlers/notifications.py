"""Muting and unmuting status notifications in chat (e-mails to the company are not affected)."""

from __future__ import annotations

from telegram import Update

from bot.telegram.turn import Context, Turn
from storage.services.chat import set_notifications

PREFIX = "notif:"
ON_WORDS = {"on", "oui", "si", "sì", "yes", "1"}
OFF_WORDS = {"off", "non", "no", "0"}


async def notifications(update: Update, context: Context) -> None:
    """``/notifications on|off``, or buttons when no argument is given."""
    turn = await Turn.begin(update, context)
    if not await turn.require_company():
        return
    word = (context.args or [""])[0].lower()
    if word in ON_WORDS | OFF_WORDS:
        await _set(turn, word in ON_WORDS)
        return
    t = turn.t
    state = (t.gettext("Status notifications in this chat are on.") if turn.profile.notifications
             else t.gettext("Status notifications in this chat are off."))
    await turn.reply(state, [[(t.gettext("On"), PREFIX + "on"),
                              (t.gettext("Off"), PREFIX + "off")]])


async def tapped(update: Update, context: Context) -> None:
    """The on or off button was tapped."""
    turn = await Turn.begin(update, context)
    assert update.callback_query is not None
    await turn.settle()
    if await turn.require_company():
        await _set(turn, str(update.callback_query.data).removeprefix(PREFIX) == "on")


async def _set(turn: Turn, enabled: bool) -> None:
    await turn.db(_save, turn, enabled)
    t = turn.t
    await turn.show(t.gettext("Done: you will get a message here when a device's status changes.")
                    if enabled else
                    t.gettext("Done: no more status messages here. Your company still gets "
                              "the e-mails. /notifications on to turn them back on."))


def _save(turn: Turn, enabled: bool) -> None:
    with turn.app.uow() as uow:
        set_notifications(uow, telegram_user_id=turn.profile.telegram_user_id, enabled=enabled)
