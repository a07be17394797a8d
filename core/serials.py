"""Serial numbers as installers type them, and as spreadsheets mangle them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_PREFIX = re.compile(
    r"^\s*(?:(?:S\s*/\s*N|SN|SERIAL(?:\s*(?:NO|NUMBER))?|N°)\s*[:#.=]?|NO\s*[:#.])\s*",
    re.IGNORECASE,
)
_SPREADSHEET_FLOAT = re.compile(r"^\d+\.0+$")
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?E\+?\d+$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-_./\u00a0\u2010-\u2015]+")


def normalise_serial(raw: str | int | float) -> str:
    """Return the serial as the master data spells it: upper case, no prefix or separators.

    Spreadsheets turn ten-digit serials into numbers (``3012345678.0``, ``3.012345678E9``);
    those are turned back into their digits. Anything unreadable is returned cleaned, so the
    format check can say what is wrong with it.
    """
    if isinstance(raw, bool):
        return str(raw).upper()
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return _from_number(repr(raw)) or str(raw)
    text = _PREFIX.sub("", raw.strip().strip("'\"").strip())
    text = text.strip()
    as_number = _from_number(text)
    if as_number is not None:
        return as_number
    return _SEPARATORS.sub("", text).upper()


def _from_number(text: str) -> str | None:
    if _SPREADSHEET_FLOAT.match(text):
        return text.split(".", 1)[0]
    if _SCIENTIFIC.match(text):
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None
        if value == value.to_integral_value():
            return str(int(value))
    return None


def matches_format(serial: str, pattern: re.Pattern[str]) -> bool:
    """Whether a normalised serial has the shape a product's serials have."""
    return pattern.fullmatch(serial) is not None
