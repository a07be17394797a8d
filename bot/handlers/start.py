"""Onboarding: the greeting, the list of what the bot can do, and a way out of anything."""

from __future__ import annotations

from telegram import BotCommand, Update

from bot.telegram.turn import Context, Turn
from core.i18n import N_, Translator

# The command menu Telegram shows, in each language (set at start).
COMMANDS = (
    ("register", N_("register a device")),
    ("status", N_("status and cashback amounts")),
    ("template", N_("bulk registration with the Excel template")),
    ("statement", N_("your statement as an Excel workbook")),
    ("link", N_("link your company")),
    ("unlink", N_("unlink your company")),
    ("language", N_("change the language")),
    ("notifications", N_("status notifications on or off")),
    ("cancel", N_("stop what we are doing")),
    ("help", N_("what I can do")),
)


def bot_commands(t: Translator) -> list[BotCommand]:
    """The command menu in one language."""
    return [BotCommand(name, t.gettext(description)) for name, description in COMMANDS]


def commands_text(t: Translator) -> str:
    """The commands, one per line."""
    return "\n".join(f"/{name} – {t.gettext(description)}" for name, description in COMMANDS)


async def start(update: Update, context: Context) -> None:
    """Greet in the user's language and say what comes next."""
    turn = await Turn.begin(update, context)
    await turn.forget()
    t = turn.t
    user = update.effective_user
    name = user.first_name if user else ""
    lines = [t.gettext("Hello %(name)s! 👋 I am the SMA cashback assistant. I register your "
                       "devices, tell you their status and your cashback, and take your "
                       "documents.") % {"name": name}]
    if turn.company is None:
        lines.append(t.gettext("To begin, link your company: send /link and your SMA customer "
                               "number."))
    else:
        lines.append(t.gettext("You are linked to %(company)s.") % {"company": turn.company.name})
        lines.append(commands_text(t))
    await turn.reply("\n\n".join(lines))


async def help_command(update: Update, context: Context) -> None:
    """Everything the bot understands."""
    turn = await Turn.begin(update, context)
    t = turn.t
    await turn.reply(t.gettext("Here is what I can do:") + "\n" + commands_text(t) + "\n\n"
                   + t.gettext("Tip: register in one line, e.g. %(example)s") % {
                       "example": "3000000007 STP-SE 15/06/2026"})


async def cancel(update: Update, context: Context) -> None:
    """Leave whatever conversation the user is in."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    await turn.forget()
    await turn.reply(turn.t.gettext("OK, stopped. What next? /help lists what I can do."))
