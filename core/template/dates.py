"""Installation dates in every shape a spreadsheet or a person produces them.

Real date cells, Excel serial numbers (a date column saved as CSV, or typed into a cell
formatted as a number), ``dd/mm/yyyy`` with ``/``, ``.`` or ``-``, ISO ``yyyy-mm-dd``,
two-digit years, a time part left over, and month names in French, Italian or English.
Day-first is assumed for numeric dates: installers in France and Italy never write mm/dd.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from core.template.text import fold

# Excel's day 0 (with its 1900 leap-year bug folded in): serial 1 is 1900-01-01 for every
# date after February 1900, which is all we care about.
_EXCEL_EPOCH = date(1899, 12, 30)
# Serials outside 2000-01-01 .. 2099-12-31 are not installation dates but stray numbers
# ("2026" alone would otherwise be read as day 2026, in 1905).
_FIRST_SERIAL = 36_526
_LAST_SERIAL = 73_050
_PIVOT = 70  # two-digit years below are 20xx, others 19xx

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20260327
_SERIAL = re.compile(r"\d{1,7}(?:[.,]\d+)?")
_NAMED = re.compile(r"(\d{1,2})(?:er)?\s+([a-z]+)\s+(\d{4}|\d{2})")
_TIME_PART = re.compile(r"(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]m)?)$",
                        re.IGNORECASE)

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
    "january jan janvier janv gennaio genn gen",
    "february feb fevrier fevr fev febbraio febbr",
    "march mar mars marzo",
    "april apr avril avr aprile",
    "may mai maggio magg mag",
    "june jun juin giugno giu",
    "july jul juillet juil luglio lug",
    "august aug aout agosto ago",
    "september sep sept septembre settembre sett set",
    "october oct octobre ottobre ott",
    "november nov novembre",
    "december dec decembre dicembre dic",
), start=1):
    for _name in _names.split():
        _MONTHS[_name] = _number


def parse_date(value: object) -> date | None:
    """The calendar day ``value`` stands for, or None when it cannot be read.

    Empty values are the caller's business (missing, not unreadable): they give None too.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_number(float(value))
    if isinstance(value, str):
        return _from_text(value)
    return None


def _from_number(value: float) -> date | None:
    if value != value:  # NaN
        return None
    whole = int(value)
    if _COMPACT.fullmatch(str(whole)) and whole >= 19000101:
        return _from_text(str(whole))
    if _FIRST_SERIAL <= whole <= _LAST_SERIAL:
        return _EXCEL_EPOCH + timedelta(days=whole)
    return None


def _from_text(raw: str) -> date | None:
    text = _TIME_PART.sub("", raw.strip()).strip()
    if match := _ISO.fullmatch(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_FIRST.fullmatch(text):
        return _day(_year(match[3]), int(match[2]), int(match[1]))
    if match := _COMPACT.fullmatch(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if _SERIAL.fullmatch(text):
        return _from_number(float(text.replace(",", ".")))
    if match := _NAMED.fullmatch(fold(text)):
        month = _MONTHS.get(match[2])
        return _day(_year(match[3]), month, int(match[1])) if month else None
    return None


def _year(text: str) -> int:
    if len(text) == 4:
        return int(text)
    short = int(text)
    return 2000 + short if short < _PIVOT else 1900 + short


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
