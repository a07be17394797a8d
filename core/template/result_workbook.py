"""The installer's rows sent back with a result for each, and a summary of the upload.

The installer corrects the red rows in this workbook and sends it again: it keeps their own
columns, so it can be read like any upload (the result columns are simply ignored then).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from core.campaign import Campaign
from core.eligibility import Verdict
from core.i18n import Translator
from core.statuses import Status
from core.template.fields import Field
from core.template.outcome import Mark, RowResult, result_details, result_headline
from core.template.rows import ParsedRow, ReadResult
from core.template.safety import CellValue, put
from core.template.styles import (
    ACCEPTED_FILL,
    BOLD,
    DATE_FORMAT,
    PROOF_FILL,
    REJECTED_FILL,
    TEXT_FORMAT,
    TITLE_FONT,
    WRAP,
    currency_format,
    sheet_title,
    style_header_row,
)
from core.wording import status_name

_ROW_FILLS = {Mark.REJECTED: REJECTED_FILL, Mark.PROOF: PROOF_FILL}


def build_result_workbook(read: ReadResult, results: Sequence[RowResult], campaign: Campaign,
                          language: str, t: Translator) -> bytes:
    """An ``.xlsx`` with the upload's rows and their results, and a summary sheet.

    Rows without a result (the import stopped early) are given back without one.
    """
    # Write-only: rows stream to the file instead of living in memory as cell objects, which
    # for 100,000 rows was most of the import's time and memory (BENCHMARKS.md, "import").
    workbook = Workbook(write_only=True)
    by_row = {result.row_number: result for result in results}
    money = currency_format(campaign.currency, language)
    rows = _RowWriter(workbook.create_sheet(sheet_title(t.gettext("Results"))))
    _write_rows(rows, read, by_row, campaign, language, t, money)
    rows.close()
    summary = _RowWriter(workbook.create_sheet(sheet_title(t.gettext("Summary"))))
    _write_summary(summary, results, t, money)
    summary.close()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _RowWriter:
    """``cell(row=, column=)`` over a write-only sheet, for rows written top to bottom.

    Column widths, frozen panes and the filter must be set before the first row is written.
    """

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.written = 0
        self.row = 0
        self.cells: dict[int, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sheet, name)

    @property
    def freeze_panes(self) -> Any:
        """The sheet's frozen panes (set before the first row)."""
        return self.sheet.freeze_panes

    @freeze_panes.setter
    def freeze_panes(self, cell: str) -> None:
        self.sheet.freeze_panes = cell

    def cell(self, *, row: int, column: int) -> Any:
        if row != self.row:
            if row < self.row:
                raise ValueError("rows of a write-only sheet are written top to bottom")
            self._flush()
            self.row = row
        if column not in self.cells:
            self.cells[column] = WriteOnlyCell(self.sheet)
        return self.cells[column]

    def close(self) -> None:
        self._flush()

    def _flush(self) -> None:
        if not self.cells:
            return
        while self.written < self.row - 1:
            self.sheet.append([])
            self.written += 1
        self.sheet.append([self.cells.get(c) for c in range(1, max(self.cells) + 1)])
        self.written = self.row
        self.cells = {}


def _write_rows(sheet: Any, read: ReadResult, by_row: dict[int, RowResult], campaign: Campaign,
                language: str, t: Translator, money: str) -> None:
    ours = [t.gettext("Row"), t.gettext("Result"), t.gettext("Details"), t.gettext("Cashback")]
    width = max([len(read.header), *(len(row.cells) for row in read.rows)])
    header = [*read.header, *[""] * (width - len(read.header))]
    # A result workbook sent back corrected brings our old columns: they would be stale.
    kept = [index for index, heading in enumerate(header) if heading not in ours]
    headings = [ours[0], *(header[index] for index in kept), *ours[1:]]
    result_column = len(kept) + 2
    sheet.column_dimensions["A"].width = 8
    for column in range(2, result_column):
        sheet.column_dimensions[get_column_letter(column)].width = 20
    for offset, column_width in enumerate((40, 60, 14)):
        sheet.column_dimensions[get_column_letter(result_column + offset)].width = column_width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{len(read.rows) + 1}"
    for column, heading in enumerate(headings, start=1):
        put(sheet.cell(row=1, column=column), heading)
    style_header_row(sheet, 1, len(headings))
    for line, row in enumerate(read.rows, start=2):
        put(sheet.cell(row=line, column=1), row.row_number)
        cells = _cells_back(row, read)
        for column, index in enumerate(kept, start=2):
            _put_original(sheet.cell(row=line, column=column),
                          cells[index] if index < len(cells) else None)
        result = by_row.get(row.row_number)
        if result is None:
            continue
        headline = sheet.cell(row=line, column=result_column)
        put(headline, result_headline(result, t))
        details = sheet.cell(row=line, column=result_column + 1)
        put(details, result_details(result, campaign, language, t))
        details.alignment = WRAP
        if result.mark in (Mark.ACCEPTED, Mark.PROOF):
            amount = sheet.cell(row=line, column=result_column + 2)
            amount.value = result.amount
            amount.number_format = money
        fill = _ROW_FILLS.get(result.mark)
        if fill is not None:
            for column in range(1, len(headings) + 1):
                sheet.cell(row=line, column=column).fill = fill
        elif result.mark is Mark.ACCEPTED:
            headline.fill = ACCEPTED_FILL


def _cells_back(row: ParsedRow, read: ReadResult) -> list[CellValue]:
    """The row's cells, with the serial as we read it (a number cell would show 3.01E+09)."""
    cells: list[CellValue] = list(row.cells)
    serial_column = read.columns.get(Field.SERIAL)
    if serial_column is not None and row.serial:
        cells.extend([None] * (serial_column + 1 - len(cells)))
        cells[serial_column] = row.serial
    return cells


def _put_original(cell: Any, value: CellValue) -> None:
    put(cell, value)
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell.number_format = TEXT_FORMAT


def _write_summary(sheet: Any, results: Sequence[RowResult], t: Translator,
                   money: str) -> None:
    sheet.column_dimensions["A"].width = 55
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 16
    title = sheet.cell(row=1, column=1)
    put(title, t.gettext("Summary of this file"))
    title.font = TITLE_FONT
    for column, heading in enumerate((t.gettext("Result"), t.gettext("Devices"),
                                      t.gettext("Cashback")), start=1):
        put(sheet.cell(row=3, column=column), heading)
    style_header_row(sheet, 3, 3)
    line = 4
    for label, group in _groups(results, t):
        if not group:
            continue
        put(sheet.cell(row=line, column=1), label)
        sheet.cell(row=line, column=2).value = len(group)
        amount = sheet.cell(row=line, column=3)
        amount.value = sum((result.amount for result in group), Decimal(0))
        amount.number_format = money
        line += 1
    put(sheet.cell(row=line, column=1), t.gettext("Total"))
    sheet.cell(row=line, column=2).value = len(results)
    total = sheet.cell(row=line, column=3)
    total.value = sum((result.amount for result in results), Decimal(0))
    total.number_format = money
    for column in range(1, 4):
        sheet.cell(row=line, column=column).font = BOLD


def _groups(results: Sequence[RowResult], t: Translator) -> list[tuple[str, list[RowResult]]]:
    """Counted per official status; already-registered devices and rows to correct apart."""
    def with_status(status: Status) -> list[RowResult]:
        return [r for r in results if isinstance(r.outcome, Verdict)
                and r.outcome.status is status and r.mark is not Mark.UNCHANGED]

    groups = [(status_name(status, t), with_status(status)) for status in Status]
    groups.append((t.gettext("Already registered by your company"),
                   [r for r in results if r.mark is Mark.UNCHANGED]))
    groups.append((t.gettext("Not registered: rows to correct"),
                   [r for r in results if not isinstance(r.outcome, Verdict)]))
    return groups
