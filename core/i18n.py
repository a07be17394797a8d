"""What the core needs to speak a user's language, without loading any catalog itself."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LANGUAGES = ("fr", "it", "en")
BABEL_LOCALES = {"fr": "fr_FR", "it": "it_IT", "en": "en_GB"}


class Translator(Protocol):
    """The part of :class:`gettext.NullTranslations` the core uses."""

    def gettext(self, message: str, /) -> str:
        """Translate one message."""
        ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        """Translate a message that depends on a count."""
        ...


class LocalizedError(Exception):
    """An error whose message is a catalog entry with ``%(name)s`` fields, shown translated."""

    def __init__(self, message: str, **fields: object) -> None:
        self.message = message
        self.fields = fields
        super().__init__(message % fields)

    def text(self, t: Translator) -> str:
        """The message in the reader's language."""
        return t.gettext(self.message) % self.fields


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction where it is translated later (tables, enums)."""
    return message


def babel_locale(language: str) -> str:
    """The Babel locale used to format numbers and dates for a user language."""
    return BABEL_LOCALES.get(language, BABEL_LOCALES["en"])


def money(amount: Decimal, currency: str, language: str) -> str:
    """An amount as people in ``language`` write it: ``1 234,50 €`` in French."""
    return format_currency(amount, currency, locale=babel_locale(language))


def number(value: int | Decimal, language: str) -> str:
    """A count with the locale's grouping."""
    return format_decimal(value, locale=babel_locale(language))


def day(value: date, language: str) -> str:
    """A date as installers in France and Italy write it: 27/11/2026."""
    return format_date(value, format="dd/MM/yyyy", locale=babel_locale(language))
