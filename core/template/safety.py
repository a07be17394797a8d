"""Writing text that came from users into workbooks without it ever becoming a formula.

A serial typed as ``=HYPERLINK("http://evil", "click")`` must come back as text, also after
the installer exports our workbook to CSV and opens that again: so dangerous text is stored
as a string cell *and* prefixed with an apostrophe (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

# Spreadsheets start a formula (or DDE call) with these; tab and CR/LF hide a leading one.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n",
                     "\uff1d", "\uff0b", "\uff0d", "\uff20")  # full-width = + - @
# Control characters that the XML of a workbook cannot hold (openpyxl refuses them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_CELL_TEXT = 32_767  # Excel's limit for one cell

CellValue = str | int | float | bool | date | datetime | time | timedelta | Decimal | None


def neutralise(text: str) -> str:
    """``text`` made safe for a cell: no control characters, never read as a formula."""
    if text.isprintable() and len(text) < _MAX_CELL_TEXT and not text.startswith(
            _FORMULA_TRIGGERS):
        return text  # the usual case, checked in C: nothing to remove or quote
    cleaned = _ILLEGAL.sub("", text)[: _MAX_CELL_TEXT - 1]
    return "'" + cleaned if cleaned.startswith(_FORMULA_TRIGGERS) else cleaned


def put(cell: Any, value: CellValue) -> None:
    """Write ``value`` into an openpyxl cell; text always goes through :func:`neutralise`.

    Numbers, dates and booleans cannot carry a formula and are written as they are; text is
    forced to a string cell so that openpyxl does not take "#N/A" for an error value either.
    """
    if isinstance(value, str):
        cell.value = neutralise(value)
        cell.data_type = "s"
    else:
        cell.value = value
