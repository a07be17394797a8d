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
_MAX_DIGITS = 30


def normalise_serial(raw: str | int | float) -> str:
    """Return the serial as the master data spells it: upper case, no prefix or separators.

    Spreadsheets turn ten-digit serials into numbers (``3012345678.0``, ``3.012345678E9``);
    those are turned back into their digits. Anything unreadable is returned cleaned, so the
    format check can say what is wrong with it.
    """
    if type(raw) is int and raw >= 0:
        return str(raw)  # a number cell: its digits are the serial
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        return raw  # already clean: the usual case, and every serial normalised before
    if isinstance(raw, bool):
        return str(raw).upper()
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        text = _from_number(repr(raw)) or str(raw)
    else:
        text = raw
    if text.isascii() and text.isdigit():
        return text  # already clean: what nearly every serial of a file or export looks like
    # Cleaning can uncover another prefix or number ("S-N 5", "1 E5"); repeat until nothing
    # changes, so that normalising a normalised serial changes nothing. After the first pass,
    # each pass only removes characters or yields plain digits, so this ends.
    cleaned = _clean(text)
    while (again := _clean(cleaned)) != cleaned:
        cleaned = again
    return cleaned


def _clean(raw: str) -> str:
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
        # "1E99999999" would be a number with a hundred million digits: no serial is that long.
        if value.adjusted() < _MAX_DIGITS and value == value.to_integral_value():
            return str(int(value))
    return None


def matches_format(serial: str, pattern: re.Pattern[str]) -> bool:
    """Whether a normalised serial has the shape a product's serials have."""
    return pattern.fullmatch(serial) is not None
