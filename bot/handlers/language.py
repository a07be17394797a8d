"""Choosing the language the bot speaks: French, Italian or English."""

from __future__ import annotations

from telegram import Update

from bot.i18n import translator
from bot.telegram.turn import Context, Turn
from core.i18n import LANGUAGES
from storage.services.chat import set_language

PREFIX = "lang:"
# Each language's own name, the same in every catalog.
NAMES = {"fr": "Français", "it": "Italiano", "en": "English"}


async def choose(update: Update, context: Context) -> None:
    """``/language`` shows the choices; ``/language it`` switches at once."""
    turn = await Turn.begin(update, context)
    wanted = (context.args or [""])[0].lower()
    if wanted in LANGUAGES:
        await _switch(turn, wanted)
        return
    await turn.reply(turn.t.gettext("Which language do you prefer?"),
                   [[(NAMES[code], PREFIX + code) for code in LANGUAGES]])


async def chosen(update: Update, context: Context) -> None:
    """A language button was tapped."""
    turn = await Turn.begin(update, context)
    assert update.callback_query is not None
    wanted = str(update.callback_query.data).removeprefix(PREFIX)
    await turn.settle()
    if wanted in LANGUAGES:
        await _switch(turn, wanted)


async def _switch(turn: Turn, language: str) -> None:
    await turn.db(_save, turn, language)
    await turn.show(translator(language).gettext("Done: I will speak English with you."))


def _save(turn: Turn, language: str) -> None:
    with turn.app.uow() as uow:
        set_language(uow, telegram_user_id=turn.profile.telegram_user_id, language=language)
