"""Reading uploaded workbooks: python-calamine when the sheets are provably small, else openpyxl.

calamine is much faster than openpyxl (read-only, streaming): :func:`read_rows` of a
10,000-row, 5-column upload takes 0.25 s with calamine against about 1 s with openpyxl, whose
mere read-only iteration takes 0.55 s (see BENCHMARKS.md, "import"). But calamine
builds the whole used range of a sheet in memory from the cell coordinates it finds: a
two-cell sheet with cells in A1 and XFD1048576 made it allocate 17 billion cells and abort
the whole process (a Rust allocation failure cannot be caught). So before calamine sees a
workbook, every XML part of the zip is streamed through zlib and scanned with a bytes regex
for cell references (``r="XFD1048576"``) and the declared ``<dimension>``: if any part's
bounding box exceeds :data:`CALAMINE_CELL_BUDGET` cells, a cell or row has no reference (its
position would only be known by counting), a part declares a DTD, or a tag is absurdly long,
the workbook is read with openpyxl instead, which streams rows one by one, lets us bound the
rows and columns read, and parses XML with defusedxml. The scan costs about 0.04 s
for 10,000 rows. calamine is only ever given bytes that :func:`inspect_archive` accepted
(no zip bomb, no DTD, sane dimensions); its XML parser does not expand entities anyway.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import openpyxl
import python_calamine
from defusedxml import DefusedXmlException
from openpyxl.xml import functions as openpyxl_xml

from core.template.errors import TemplateError, TemplateErrorCode
from core.template.fields import is_devices_sheet_name
from core.template.limits import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, Limits
from core.template.tables import RawRow, Table

# A workbook with a cover sheet or two is fine; a hundred sheets are not looked through.
MAX_SHEETS = 10
# Cells calamine may lay out densely over all sheets (about 32 bytes each, plus the Python
# objects of the rows): 100,000 rows of 40 columns. Larger bounding boxes go to openpyxl.
CALAMINE_CELL_BUDGET = 4_000_000
_SCAN_CHUNK = 1024 * 1024
_MAX_TAG = 64 * 1024  # an unfinished tag carried from one chunk to the next
_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
# Every cell start, with its reference when it has one (empty groups when it has none).
_CELL = re.compile(
    _PREFIX + rb"c(?:\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']|[\s/>])")
# The usual cell start, and any other (with empty groups), which the general pattern reads.
_PLAIN_CELL = re.compile(rb'<c(?: r="([A-Z]{1,3})([0-9]{1,7})"|[\s/>])')
_DIMENSION_REF = re.compile(_PREFIX + rb"dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_CORNER = re.compile(rb"\$?([A-Za-z]{0,3})\$?([0-9]{0,7})")
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Distinct texts remembered per column for sharing; a column of unique texts stops there.
_SHARED_TEXTS = 10_000
# Integral floats up to this become ints, as openpyxl reads "3012345678" (2**53: exact).
_EXACT_INTEGERS = 2 ** 53


def defusedxml_in_use() -> bool:
    """Whether openpyxl parses with defusedxml (it does when installed, unless disabled)."""
    return bool(openpyxl.DEFUSEDXML) and openpyxl_xml.iterparse.__module__.startswith("defusedxml")


@contextmanager
def workbook_tables(data: bytes, limits: Limits) -> Iterator[list[Table]]:
    """The workbook's sheets as tables, the one named "Devices" (in any language) first.

    The workbook stays open, and openpyxl's warnings about features it drops (data validation
    extensions, unknown styles) stay silent, while the caller reads the tables. (Warning
    filters are process-wide: other threads' warnings are silenced meanwhile too.)

    Raises:
        TemplateError: CORRUPT for anything openpyxl cannot read, UNSAFE_ARCHIVE if an XML
            attack reaches the parser.
        RuntimeError: openpyxl is not protected by defusedxml (a deployment mistake).
    """
    if not defusedxml_in_use():
        raise RuntimeError("openpyxl must parse with defusedxml: install defusedxml and do "
                           "not set OPENPYXL_DEFUSEDXML=False")
    fast = _calamine_tables(data, limits)
    if fast is not None:
        fast.sort(key=lambda table: not is_devices_sheet_name(table.name))
        found: list[Table] = list(fast)
        yield found
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _translated_failures():
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                              keep_links=False)
        try:
            sheets = [_SheetTable(sheet, limits.max_columns)
                      for sheet in workbook.worksheets[:MAX_SHEETS]]
            sheets.sort(key=lambda table: not is_devices_sheet_name(table.name))
            yield list(sheets)
        finally:
            workbook.close()


def _calamine_tables(data: bytes, limits: Limits) -> list[_CalamineTable] | None:
    """The sheets read by calamine, or None when openpyxl must read (and judge) the file.

    Any calamine failure also means None: openpyxl then reads the file or raises the
    TemplateError the file deserves, so both readers refuse files in the same words.
    """
    try:
        if not _small_enough(data):
            return None
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        tables: list[_CalamineTable] = []
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            if len(tables) == MAX_SHEETS:
                break
            sheet = workbook.get_sheet_by_name(meta.name)
            tables.append(_CalamineTable(str(meta.name), sheet.to_python(skip_empty_area=False),
                                         limits.max_columns))
        workbook.close()
        return tables
    except Exception:  # noqa: BLE001 - openpyxl gives the file its verdict
        return None


def _small_enough(data: bytes) -> bool:
    """Whether calamine can lay every sheet out densely within :data:`CALAMINE_CELL_BUDGET`.

    Each XML part is streamed (never held whole) and its cell references scanned: the
    bounding box of the references and of the declared dimension counts, summed over parts.
    A cell without a reference, a DTD, a UTF-16 part or an endless tag means "no".
    """
    cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as part:
                box = _bounding_box(part)
            if box is None:
                return False
            cells += box
            if cells > CALAMINE_CELL_BUDGET:
                return False
    return True


def _bounding_box(part: Any) -> int | None:
    """Rows times columns the part's cells span (0 for a part that is not XML), or None."""
    carry = part.read(_SCAN_CHUNK)
    if carry.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    if not carry.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return 0
    if _DECLARATION.search(carry):
        return None
    max_row = max_column = 0
    if dimension := _DIMENSION_REF.search(carry):
        for corner in dimension[1].split(b":"):
            match = _CORNER.fullmatch(corner.strip())
            if match is None:
                return None
            max_row = max(max_row, int(match[2] or 0))
            max_column = max(max_column, _column_number(match[1]))
    letters: set[bytes] = set()
    while True:
        chunk = part.read(_SCAN_CHUNK)
        cut = len(carry) if not chunk else carry.rfind(b"<")
        if cut < 0:
            cut = len(carry)
        text, carry = carry[:cut], carry[cut:] + chunk
        references = _references(text)
        if references is None:
            return None  # a cell without a reference: its position is only known by counting
        if references:
            columns, rows = zip(*references, strict=True)
            letters.update(columns)
            max_row = max(max_row, max(map(int, set(rows))))
        if not chunk:
            break
        if len(carry) > _SCAN_CHUNK + _MAX_TAG:
            return None
    max_column = max([max_column, *map(_column_number, letters)])
    if max_row > EXCEL_MAX_ROWS or max_column > EXCEL_MAX_COLUMNS:
        return None
    return max_row * max_column


def _references(text: bytes) -> list[tuple[bytes, bytes]] | None:
    """Every cell's (column, row) reference in ``text``, or None if a cell has none.

    Spreadsheet programs write ``<c r="A1" ...>``. A regex starting with the literal ``<c``
    finds those a third faster than the general one, which must try every ``<`` of the part
    (prefixed tags, other attribute orders); any other cell start sends the text to it.
    """
    references = _PLAIN_CELL.findall(text)
    if (b"", b"") not in references and b":c" not in text:
        return references
    references = _CELL.findall(text)
    return None if (b"", b"") in references else references


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


class _CalamineTable:
    """One worksheet as calamine laid it out from A1 (empty cells are empty strings)."""

    def __init__(self, name: str, rows: list[list[Any]], max_columns: int) -> None:
        self.name = name
        self._rows = rows
        self._max_columns = max_columns

    def rows(self) -> Iterator[RawRow]:
        """Non-empty rows, numbered from row 1, ``max_columns`` wide at most.

        calamine makes a new string for every cell; equal texts of a column (the product,
        the postcode, the note) are shared instead, which the rows keep for the result
        workbook (100,000 rows: 13 MB less).
        """
        shared: list[dict[str, str]] = [{} for _ in range(self._max_columns)]
        for number, row in enumerate(self._rows, start=1):
            values = row[:self._max_columns]
            # As openpyxl gives cells: None when empty, whole numbers as ints.
            for column, cell in enumerate(values):
                kind = type(cell)
                if kind is str:
                    if not cell:
                        values[column] = None
                        continue
                    known = shared[column]
                    values[column] = (known.setdefault(cell, cell)
                                      if len(known) < _SHARED_TEXTS else known.get(cell, cell))
                elif kind is float and cell.is_integer() and abs(cell) < _EXACT_INTEGERS:
                    values[column] = int(cell)
            end = len(values)
            while end and values[end - 1] is None:
                end -= 1
            if end:
                yield number, tuple(values[:end])


class _SheetTable:
    """One worksheet, streamed row by row."""

    def __init__(self, sheet: Any, max_columns: int) -> None:
        self._sheet = sheet
        self._max_columns = max_columns
        self.name: str = str(sheet.title)

    def rows(self) -> Iterator[RawRow]:
        """Non-empty rows, numbered from row 1, within Excel's grid and ``max_columns`` wide.

        openpyxl fills gaps between rows with empty ones: they are counted, not returned.
        """
        # The declared dimension is only a claim; openpyxl would pad every row to it.
        self._sheet.reset_dimensions()
        with _translated_failures():
            cells = self._sheet.iter_rows(min_row=1, max_row=EXCEL_MAX_ROWS,
                                          max_col=self._max_columns, values_only=True)
            gap: object = None
            for number, values in enumerate(cells, start=1):
                # A gap can be a million rows: openpyxl fills it with one and the same tuple.
                if values is gap:
                    continue
                if values.count(None) == len(values):
                    gap = values
                    continue
                end = len(values)
                while values[end - 1] is None:  # openpyxl pads every row to max_columns
                    end -= 1
                yield number, tuple(values[:end])


@contextmanager
def _translated_failures() -> Iterator[None]:
    """Whatever openpyxl raises on a broken or hostile file becomes a TemplateError."""
    try:
        yield
    except TemplateError:
        raise
    except Exception as error:  # any parser failure means "cannot read this file"
        if _refused_by_defusedxml(error):
            raise TemplateError(TemplateErrorCode.UNSAFE_ARCHIVE,
                                f"XML attack: {error!r}") from error
        raise TemplateError(TemplateErrorCode.CORRUPT, f"openpyxl: {error!r}") from error


def _refused_by_defusedxml(error: BaseException) -> bool:
    """Whether defusedxml refused the XML; openpyxl wraps that in a ValueError of its own."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, DefusedXmlException):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
