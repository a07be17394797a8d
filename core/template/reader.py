"""Reading what installers really send back: the template, or something like it.

The header is looked for in the first rows (files often start with a title block), columns
may be in any order and in any of our languages, extra columns are ignored and blank rows
skipped. Each device row comes back with a :class:`RowProblem` rather than an exception, so
one bad row never hides the good ones; only a file that cannot be read at all raises.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from core.campaign import Campaign
from core.serials import normalise_serial
from core.template.archive import inspect_archive
from core.template.csv_source import csv_tables, decode_text
from core.template.dates import parse_date
from core.template.errors import TemplateError, TemplateErrorCode
from core.template.fields import Field, is_header, map_columns, recognise_header
from core.template.filetype import FileKind, detect
from core.template.limits import DEFAULT_LIMITS, Limits
from core.template.problems import RowProblem
from core.template.products import ProductMatcher
from core.template.rows import ParsedRow, ReadResult
from core.template.safety import CellValue
from core.template.tables import Table, is_blank
from core.template.xlsx_source import workbook_tables

HEADER_SEARCH_ROWS = 20
# Numeric postcodes lose their leading zeros in a spreadsheet ("01000" becomes 1000).
POSTCODE_DIGITS = {"FR": 5, "IT": 5}


def read_rows(data: bytes, filename: str, campaign: Campaign,
              limits: Limits = DEFAULT_LIMITS) -> ReadResult:
    """The device rows of an uploaded ``.xlsx``, ``.xlsm`` or ``.csv`` file.

    Raises:
        TemplateError: the file as a whole cannot be read; its code says why.
    """
    if len(data) > limits.max_bytes:
        raise TemplateError(TemplateErrorCode.TOO_LARGE, f"{len(data)} bytes",
                            limit=limits.max_bytes)
    if not data:
        raise TemplateError(TemplateErrorCode.EMPTY, "no bytes")
    if detect(data, filename) is FileKind.WORKBOOK:
        inspect_archive(data, limits)
        with workbook_tables(data, limits) as sheets:
            return _read(sheets, campaign, limits)
    return _read(csv_tables(decode_text(data)), campaign, limits)


@dataclass(frozen=True)
class _Header:
    table: Table
    row_number: int
    cells: tuple[CellValue, ...]
    columns: Mapping[Field, int]


def _read(tables: Sequence[Table], campaign: Campaign, limits: Limits) -> ReadResult:
    header = _find_header(tables)
    rows = tuple(_parse_rows(header, campaign, limits))
    if not rows:
        raise TemplateError(TemplateErrorCode.EMPTY, "header but no device rows")
    return ReadResult(
        rows=rows,
        header=tuple(_text(cell) for cell in _trimmed(header.cells)),
        header_row=header.row_number,
        columns=header.columns,
        sheet=header.table.name,
    )


def _find_header(tables: Sequence[Table]) -> _Header:
    """The header naming the most known columns; the earlier table wins a tie."""
    best: _Header | None = None
    anything = False
    for table in tables:
        for number, cells in table.rows():
            if number > HEADER_SEARCH_ROWS:
                break
            anything = anything or not all(is_blank(cell) for cell in cells)
            columns = map_columns(cells)
            if is_header(columns):
                if best is None or len(columns) > len(best.columns):
                    best = _Header(table, number, cells, columns)
                break
    if best is None:
        raise TemplateError(TemplateErrorCode.NO_HEADER if anything else TemplateErrorCode.EMPTY,
                            f"no header in the first {HEADER_SEARCH_ROWS} rows")
    return best


def _parse_rows(header: _Header, campaign: Campaign, limits: Limits) -> list[ParsedRow]:
    products = ProductMatcher(campaign)
    postcode_digits = POSTCODE_DIGITS.get(campaign.country, 0)
    seen: set[str] = set()
    parsed: list[ParsedRow] = []
    # Each field's column, or past the end of any row for a field the file lacks.
    absent = sys.maxsize
    serial_at, product_at, date_at, postcode_at, note_at = (
        header.columns.get(field, absent) for field in
        (Field.SERIAL, Field.PRODUCT, Field.INSTALLED_ON, Field.POSTCODE, Field.NOTE))
    for number, cells in header.table.rows():
        if number <= header.row_number:
            continue
        width = len(cells)
        serial_cell = cells[serial_at] if serial_at < width else None
        product_cell = cells[product_at] if product_at < width else None
        date_cell = cells[date_at] if date_at < width else None
        if is_blank(serial_cell) and is_blank(product_cell) and is_blank(date_cell):
            continue
        if _repeats_header(serial_cell):
            continue  # files pasted one under the other bring their header along
        if len(parsed) == limits.max_rows:
            raise TemplateError(TemplateErrorCode.TOO_MANY_ROWS, f"more than {limits.max_rows}",
                                limit=limits.max_rows)
        row = _parse_row(number, cells, serial_cell, product_cell, date_cell,
                         cells[postcode_at] if postcode_at < width else None,
                         cells[note_at] if note_at < width else None,
                         products, postcode_digits, seen)
        if row.serial:
            seen.add(row.serial)
        parsed.append(row)
    return parsed


def _parse_row(number: int, cells: tuple[CellValue, ...], serial_cell: CellValue,
               product_cell: CellValue, date_cell: CellValue, postcode_cell: CellValue,
               note_cell: CellValue, products: ProductMatcher, postcode_digits: int,
               seen: set[str]) -> ParsedRow:
    raw_serial = _text(serial_cell)
    # A number cell's digits are its text: normalising that text returns the same string, so
    # the row keeps one copy of the serial instead of two (100,000 rows: 6 MB).
    serial = "" if is_blank(serial_cell) else normalise_serial(
        raw_serial if type(serial_cell) is int and serial_cell >= 0
        else _serial_value(serial_cell))
    raw_product = _text(product_cell)
    product_code = products.match(raw_product) if raw_product else None
    installed_on = None if is_blank(date_cell) else parse_date(date_cell)
    return ParsedRow(
        number, raw_serial, serial, product_code, installed_on,
        _problem(serial, seen, raw_product, product_code, date_cell, installed_on),
        raw_product,
        _text(date_cell) if not isinstance(date_cell, date) else _day_text(date_cell),
        _postcode(postcode_cell, postcode_digits),
        _text(note_cell),
        _trimmed(cells),
    )


def _problem(serial: str, seen: set[str], raw_product: str, product_code: str | None,
             date_cell: CellValue, installed_on: date | None) -> RowProblem | None:
    """The first thing wrong with the row, in the order the installer should fix them."""
    if not serial:
        return RowProblem.MISSING_SERIAL
    if serial in seen:
        return RowProblem.DUPLICATE_IN_FILE
    if not raw_product:
        return RowProblem.MISSING_PRODUCT
    if product_code is None:
        return RowProblem.UNKNOWN_PRODUCT
    if is_blank(date_cell):
        return RowProblem.MISSING_DATE
    if installed_on is None:
        return RowProblem.UNREADABLE_DATE
    return None


def _repeats_header(serial_cell: CellValue) -> bool:
    return (isinstance(serial_cell, str) and not any(c.isdigit() for c in serial_cell)
            and recognise_header(serial_cell) is Field.SERIAL)


def _serial_value(cell: CellValue) -> str | int | float:
    """Serials arrive as text, or as numbers when a spreadsheet "helped"."""
    if isinstance(cell, str | int | float) and not isinstance(cell, bool):
        return cell
    return _text(cell)


def _postcode(cell: CellValue, digits: int) -> str:
    if digits and isinstance(cell, int | float) and not isinstance(cell, bool) \
            and float(cell).is_integer():
        return str(int(cell)).zfill(digits)
    return _text(cell)


@lru_cache(maxsize=4096)
def _day_text(cell: date) -> str:
    """A date cell as text; rows share a few hundred days, so they share the strings too."""
    return _text(cell)


def _text(cell: CellValue) -> str:
    """A cell as the installer would read it back, without surrounding spaces."""
    if type(cell) is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y") if cell.time() == time() else cell.isoformat(" ")
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    return str(cell).strip()


def _trimmed(cells: tuple[CellValue, ...]) -> tuple[CellValue, ...]:
    """Without the empty cells padding the row on the right."""
    end = len(cells)
    while end and is_blank(cells[end - 1]):
        end -= 1
    return cells[:end]
