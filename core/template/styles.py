"""The look shared by the workbooks we send: header style, row colours, number formats."""

from __future__ import annotations

import re
from typing import Any

from babel.numbers import get_currency_symbol
from openpyxl.styles import Alignment, Font, PatternFill

from core.i18n import babel_locale

DATE_FORMAT = "DD/MM/YYYY"  # how installers in France and Italy write dates
TIME_FORMAT = "h:mm:ss"  # what openpyxl gives time cells
DURATION_FORMAT = "[h]:mm:ss"
TEXT_FORMAT = "@"  # keeps serials and postcodes as typed: no 3.01E+09, no lost leading zero

# Colours as RGB hex: the template (openpyxl) and the result workbook (our writer) share them.
HEADER_TEXT_RGB = "FFFFFF"
HEADER_RGB = "1F4E79"
REJECTED_RGB = "F8CBAD"  # light red: needs the installer
PROOF_RGB = "FFE699"  # amber: documents to send
ACCEPTED_RGB = "C6EFCE"  # green: nothing more to do
TITLE_SIZE = 14

HEADER_FONT = Font(bold=True, color=HEADER_TEXT_RGB)
HEADER_FILL = PatternFill("solid", fgColor=HEADER_RGB)
TITLE_FONT = Font(bold=True, size=TITLE_SIZE)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def currency_format(currency: str, language: str) -> str:
    """An Excel number format showing amounts with the currency's symbol for ``language``.

    The grouping and decimal marks themselves follow the reader's Excel settings.
    """
    symbol = get_currency_symbol(currency, locale=babel_locale(language)).replace('"', "")
    if language == "en":
        return f'"{symbol}"#,##0.00'
    return f'#,##0.00\\ "{symbol}"'


def sheet_title(text: str) -> str:
    """A translated text usable as a sheet name: 31 characters, no brackets, colons, slashes."""
    return _SHEET_NAME_FORBIDDEN.sub(" ", text).strip()[:31] or "Sheet"


def style_header_row(sheet: Any, row: int, columns: int) -> None:
    """White bold text on dark blue: the row the installer must not change."""
    for column in range(1, columns + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
