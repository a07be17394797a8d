"""Settings that do not parse: which variable, what is wrong, where to read about it."""

from __future__ import annotations

from pydantic import ValidationError

from bot.settings import Settings
from core.i18n import Translator

ALIASES = {"database_url": "DATABASE_URL", "telegram_bot_token": "TELEGRAM_BOT_TOKEN"}


def variable(field: str) -> str:
    """The environment variable of a settings field."""
    return ALIASES.get(field, f"CASHBACK_{field.upper()}")


def invalid_settings_text(error: ValidationError, t: Translator) -> str:
    """One line per invalid setting, then where the settings are explained."""
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        if field in Settings.model_fields:
            name = variable(field)
        elif field.isupper():  # the variable's own name, for settings with an alias
            name = field
        else:
            name = t.gettext("settings")
        lines.append(t.gettext("Invalid setting %(name)s: %(problem)s") % {
            "name": name, "problem": problem["msg"].removeprefix("Value error, ")})
    lines.append(t.gettext("How to fix: correct it in the environment or in .env; README "
                           "\"Settings\" explains each one, and cashback doctor checks them."))
    return "\n".join(lines)
