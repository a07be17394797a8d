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
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from core.template.safety import CellValue, put
from core.template.styles import (
    DATE_FORMAT,
    HEADER_FILL,
    HEADER_FONT,
    sheet_title,
)

DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Column:
    """A column's translated header, width and, for amounts, the currency format."""

    header: str
    width: int = 14
    number_format: str | None = None


def add_table(workbook: Workbook, title: str, columns: Sequence[Column],
              rows: Iterable[Sequence[CellValue]]) -> None:
    """A sheet with a styled, frozen, filterable header row and one line per row.

    Write-only: rows stream to the file, so a campaign's whole audit trail fits in memory.
    """
    lines = list(rows)
    sheet = workbook.create_sheet(sheet_title(title))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(lines) + 1}"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet)
        put(cell, column.header)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
        header.append(cell)
    sheet.append(header)
    for values in lines:
        sheet.append([_cell(sheet, column, value)
                      for column, value in zip(columns, values, strict=True)])


def _cell(sheet: Any, column: Column, value: CellValue) -> Any:
    cell = WriteOnlyCell(sheet)
    put(cell, _plain(value))
    if column.number_format is not None:
        cell.number_format = column.number_format
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def _plain(value: CellValue) -> CellValue:
    """Excel has no time zones: aware times are written as UTC wall-clock times."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def new_workbook() -> Workbook:
    """An empty write-only workbook: add sheets with :func:`add_table`, in order."""
    return Workbook(write_only=True)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The ``.xlsx`` file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def euros(cents: int) -> Decimal:
    """Whole cents as an exact amount for a currency cell."""
    return Decimal(cents) / 100
