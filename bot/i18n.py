"""Loading the gettext catalogs under ``locales/`` for a user's language."""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.i18n import LANGUAGES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


@cache
def translator(language: str) -> gettext.NullTranslations:
    """The catalog for ``language`` (English, the source, for anything else).

    The install compiles ``.mo`` files; when one is missing or older than its ``.po`` (a
    developer just edited a translation) the ``.po`` is compiled in memory instead, so a stale
    binary catalog can never hide a translation.
    """
    if language not in LANGUAGES or language == "en":
        return gettext.NullTranslations()
    po = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def language_or_default(language: str | None, default: str = "en") -> str:
    """A supported language for a Telegram ``language_code`` such as ``fr-FR``."""
    if not language:
        return default
    short = language.split("-")[0].split("_")[0].lower()
    return short if short in LANGUAGES else default
