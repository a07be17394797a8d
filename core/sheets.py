"""Plain tables in a workbook for the back office's exports (report, company statement).

Every text cell goes through :func:`core.template.safety.put`, so a company name or an
operator's reason that starts with ``=`` stays text, also after a CSV round trip.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from core.template.safety import CellValue, put
from core.template.styles import DATE_FORMAT, TEXT_FORMAT, sheet_title, style_header_row

DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


@dataclass(frozen=True)
class Column:
    """A column's translated header, width and, for amounts, the currency format."""

    header: str
    width: int = 14
    number_format: str | None = None


def add_table(workbook: Workbook, title: str, columns: Sequence[Column],
              rows: Iterable[Sequence[CellValue]]) -> None:
    """A sheet with a styled, frozen header row and one line per row, filterable."""
    sheet = workbook.create_sheet(sheet_title(title))
    for index, column in enumerate(columns, start=1):
        put(sheet.cell(row=1, column=index), column.header)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    style_header_row(sheet, 1, len(columns))
    sheet.freeze_panes = "A2"
    last = 1
    for last, values in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = sheet.cell(row=last, column=index)
            put(cell, _plain(value))
            if column.number_format is not None:
                cell.number_format = column.number_format
            elif isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str):
                cell.number_format = TEXT_FORMAT
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"


def _plain(value: CellValue) -> CellValue:
    """Excel has no time zones: aware times are written as UTC wall-clock times."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    """The ``.xlsx`` file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def euros(cents: int) -> Decimal:
    """Whole cents as an exact amount for a currency cell."""
    return Decimal(cents) / 100
