"""The installer's rows sent back with a result for each, and a summary of the upload.

The installer corrects the red rows in this workbook and sends it again: it keeps their own
columns, so it can be read like any upload (the result columns are simply ignored then).
Written with :mod:`.xlsx_writer`, which streams the rows: for 10,000 rows openpyxl took
about 1.5 s, most of the whole import (BENCHMARKS.md, "import").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta
from decimal import Decimal

from core.campaign import Campaign
from core.collector import collector_paused
from core.eligibility import Verdict
from core.i18n import Translator
from core.statuses import Status
from core.template.fields import Field
from core.template.outcome import Mark, RowResult, result_details, result_headline
from core.template.rows import ParsedRow, ReadResult
from core.template.safety import CellValue, neutralise
from core.template.styles import (
    ACCEPTED_RGB,
    DATE_FORMAT,
    DURATION_FORMAT,
    HEADER_RGB,
    HEADER_TEXT_RGB,
    PROOF_RGB,
    REJECTED_RGB,
    TEXT_FORMAT,
    TIME_FORMAT,
    TITLE_SIZE,
    currency_format,
    sheet_title,
)
from core.template.xlsx_writer import Cell, CellStyle, XlsxWriter
from core.wording import status_name

_ROW_FILLS = {Mark.REJECTED: REJECTED_RGB, Mark.PROOF: PROOF_RGB}
_HEADER = CellStyle(fill=HEADER_RGB, bold=True, color=HEADER_TEXT_RGB, wrap=True,
                    vertical="center")


class _Looks:
    """The style indexes of one workbook, per row fill (None, red, amber)."""

    def __init__(self, book: XlsxWriter, money: str) -> None:
        self.header = book.style(_HEADER)
        self.accepted = book.style(CellStyle(fill=ACCEPTED_RGB))
        self.title = book.style(CellStyle(bold=True, size=TITLE_SIZE))
        self.bold = book.style(CellStyle(bold=True))
        self.bold_money = book.style(CellStyle(bold=True, number_format=money))
        self.plain: dict[str | None, int] = {}
        self.date: dict[str | None, int] = {}
        self.text: dict[str | None, int] = {}
        self.wrap: dict[str | None, int] = {}
        self.money: dict[str | None, int] = {}
        self.time: dict[str | None, int] = {}
        self.duration: dict[str | None, int] = {}
        for fill in (None, REJECTED_RGB, PROOF_RGB):
            self.plain[fill] = book.style(CellStyle(fill=fill))
            self.date[fill] = book.style(CellStyle(fill=fill, number_format=DATE_FORMAT))
            self.text[fill] = book.style(CellStyle(fill=fill, number_format=TEXT_FORMAT))
            self.wrap[fill] = book.style(CellStyle(fill=fill, wrap=True, vertical="top"))
            self.money[fill] = book.style(CellStyle(fill=fill, number_format=money))
            self.time[fill] = book.style(CellStyle(fill=fill, number_format=TIME_FORMAT))
            self.duration[fill] = book.style(CellStyle(fill=fill, number_format=DURATION_FORMAT))


def build_result_workbook(read: ReadResult, results: Sequence[RowResult], campaign: Campaign,
                          language: str, t: Translator) -> bytes:
    """An ``.xlsx`` with the upload's rows and their results, and a summary sheet.

    Rows without a result (the import stopped early) are given back without one.
    """
    by_row = {result.row_number: result for result in results}
    with collector_paused(), XlsxWriter() as book:
        looks = _Looks(book, currency_format(campaign.currency, language))
        _write_rows(book, looks, read, by_row, _Texts(campaign, language, t), t)
        _write_summary(book, looks, results, t)
    return book.data


class _Texts:
    """Result and details of each row; rows with the same verdict share the same words."""

    def __init__(self, campaign: Campaign, language: str, t: Translator) -> None:
        self._campaign = campaign
        self._language = language
        self._t = t
        self._known: dict[object, tuple[str, str]] = {}

    def of(self, result: RowResult) -> tuple[str, str]:
        """(headline, details), neutralised."""
        outcome = result.outcome
        key: object = outcome
        if isinstance(outcome, Verdict):
            # The reason and the suggestions name the serial: such rows are worded one by one.
            key = (None if outcome.reason is not None or outcome.suggestions else
                   (outcome.status, outcome.amount, outcome.info_reason,
                    outcome.documents_needed, outcome.terms))
        found = self._known.get(key) if key is not None else None
        if found is None:
            found = (neutralise(result_headline(result, self._t)),
                     neutralise(result_details(result, self._campaign, self._language, self._t)))
            if key is not None:
                self._known[key] = found
        return found


def _write_rows(book: XlsxWriter, looks: _Looks, read: ReadResult,
                by_row: dict[int, RowResult], texts: _Texts, t: Translator) -> None:
    ours = [t.gettext("Row"), t.gettext("Result"), t.gettext("Details"), t.gettext("Cashback")]
    width = max([len(read.header), *(len(row.cells) for row in read.rows)])
    header = [*read.header, *[""] * (width - len(read.header))]
    # A result workbook sent back corrected brings our old columns: they would be stale.
    kept = [index for index, heading in enumerate(header) if heading not in ours]
    headings = [ours[0], *(header[index] for index in kept), *ours[1:]]
    result_column = len(kept) + 2
    widths: dict[int, float] = {1: 8, **dict.fromkeys(range(2, result_column), 20),
                                result_column: 40, result_column + 1: 60,
                                result_column + 2: 14}
    serial_column = read.columns.get(Field.SERIAL)
    with book.sheet(sheet_title(t.gettext("Results")), rows=len(read.rows) + 1,
                    columns=len(headings), widths=widths, freeze="B2",
                    auto_filter=True) as sheet:
        sheet.append([(neutralise(heading), looks.header) for heading in headings])
        for row in read.rows:
            sheet.append(_row(row, by_row.get(row.row_number), kept, serial_column, looks,
                              texts))


def _row(row: ParsedRow, result: RowResult | None, kept: list[int], serial_column: int | None,
         looks: _Looks, texts: _Texts) -> list[Cell | None]:
    mark = result.mark if result is not None else None
    fill = _ROW_FILLS.get(mark) if mark is not None else None
    cells = _cells_back(row, serial_column)
    width = len(cells)
    text_style = looks.text[fill]
    line: list[Cell | None] = [(row.row_number, looks.plain[fill])]
    for index in kept:
        value = cells[index] if index < width else None
        # Text, the commonest cell, without a call; the rest by :func:`_original`.
        line.append((neutralise(value), text_style) if type(value) is str
                    else _original(value, looks, fill))
    if result is None:
        return line
    headline, details = texts.of(result)
    line.append((headline, looks.accepted if mark is Mark.ACCEPTED else looks.plain[fill]))
    line.append((details, looks.wrap[fill]))
    if mark is Mark.ACCEPTED or mark is Mark.PROOF:
        line.append((result.amount, looks.money[fill]))
    elif fill is not None:
        line.append((None, looks.plain[fill]))
    return line


def _cells_back(row: ParsedRow, serial_column: int | None) -> Sequence[CellValue]:
    """The row's cells, with the serial as we read it (a number cell would show 3.01E+09)."""
    if serial_column is None or not row.serial:
        return row.cells
    cells: list[CellValue] = list(row.cells)
    cells.extend([None] * (serial_column + 1 - len(cells)))
    cells[serial_column] = row.serial
    return cells


def _original(value: CellValue, looks: _Looks, fill: str | None) -> Cell | None:
    """One of the installer's cells: text stays text (and never a formula), dates dates."""
    if isinstance(value, str):
        return (neutralise(value), looks.text[fill])
    if isinstance(value, date):
        return (value, looks.date[fill])
    if isinstance(value, time):
        return (value, looks.time[fill])
    if isinstance(value, timedelta):
        return (value, looks.duration[fill])
    if value is None and fill is None:
        return None
    return (value, looks.plain[fill])


def _write_summary(book: XlsxWriter, looks: _Looks, results: Sequence[RowResult],
                   t: Translator) -> None:
    lines: list[list[Cell | None]] = []
    for label, group in _groups(results, t):
        if group:
            lines.append([(neutralise(label), 0), (len(group), 0),
                          (sum((result.amount for result in group), Decimal(0)),
                           looks.money[None])])
    total = sum((result.amount for result in results), Decimal(0))
    lines.append([(neutralise(t.gettext("Total")), looks.bold), (len(results), looks.bold),
                  (total, looks.bold_money)])
    with book.sheet(sheet_title(t.gettext("Summary")), rows=3 + len(lines), columns=3,
                    widths={1: 55, 2: 12, 3: 16}) as sheet:
        sheet.append([(neutralise(t.gettext("Summary of this file")), looks.title)])
        sheet.skip()
        sheet.append([(neutralise(heading), looks.header) for heading in (
            t.gettext("Result"), t.gettext("Devices"), t.gettext("Cashback"))])
        for line in lines:
            sheet.append(line)


def _groups(results: Sequence[RowResult], t: Translator) -> list[tuple[str, list[RowResult]]]:
    """Counted per official status; already-registered devices and rows to correct apart."""
    by_status: dict[Status, list[RowResult]] = {status: [] for status in Status}
    unchanged: list[RowResult] = []
    to_correct: list[RowResult] = []
    for result in results:
        if not isinstance(result.outcome, Verdict):
            to_correct.append(result)
        elif result.mark is Mark.UNCHANGED:
            unchanged.append(result)
        else:
            by_status[result.outcome.status].append(result)
    groups = [(status_name(status, t), by_status[status]) for status in Status]
    groups.append((t.gettext("Already registered by your company"), unchanged))
    groups.append((t.gettext("Not registered: rows to correct"), to_correct))
    return groups
