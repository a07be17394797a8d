"""A small streaming ``.xlsx`` writer for workbooks of plain cells: values, fills, formats.

The result workbook of a 10,000-row import was most of the import's time with openpyxl (its
write-only mode still builds an XML element per cell: about 1.5 s), and XlsxWriter and
pyexcelerate take 0.4 to 0.5 s for the same cells (BENCHMARKS.md, "import"). This writer
streams each row as ready-made SpreadsheetML text into the zip: about 0.1 s. It knows only
what our workbooks use: text (always a string cell, never a formula), numbers, dates, column
widths, a frozen pane, an auto-filter and cell styles (font, fill, number format, wrapping).
Text must already be neutralised (:func:`core.template.safety.neutralise`); it is escaped here.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, cast

from openpyxl.utils import get_column_letter, quote_sheetname

from core.template.safety import CellValue

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_EPOCH = datetime(1899, 12, 30)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "@": 49}
_ROWS_PER_WRITE = 500  # rows joined into one string before compressing
# Speed over size: level 1 deflates the sheet XML 11 to 1 (level 6: 13 to 1) in a fifth of the time.
_COMPRESS_LEVEL = 1


@dataclass(frozen=True)
class CellStyle:
    """How a cell looks; colours are RGB hex ("1F4E79"), formats Excel number formats."""

    fill: str | None = None
    number_format: str = "General"
    bold: bool = False
    color: str | None = None
    size: float | None = None
    wrap: bool = False
    vertical: str | None = None


Cell = tuple[CellValue, int]  # a value and a style index from :meth:`XlsxWriter.style`


class XlsxWriter:
    """One workbook written to memory: ``style()`` the looks, then ``sheet()`` after sheet.

    Usage: ``with XlsxWriter() as book: ...``; :attr:`data` holds the file after the block.
    """

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED,
                                    compresslevel=_COMPRESS_LEVEL)
        self._styles: dict[CellStyle, int] = {CellStyle(): 0}
        self._sheets: list[tuple[str, str | None]] = []  # (title, auto-filter range)
        self.data = b""

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:
            self._finish()
        self._zip.close()
        if error is None:
            self.data = self._buffer.getvalue()

    def style(self, style: CellStyle) -> int:
        """The index to pair with values for cells that look like ``style``."""
        index = self._styles.setdefault(style, len(self._styles))
        while index >= len(_STYLE):
            _STYLE.append(f' s="{len(_STYLE)}"')
        return index

    @contextmanager
    def sheet(self, title: str, *, rows: int, columns: int, widths: dict[int, float],
              freeze: str | None = None, auto_filter: bool = False) -> Iterator[SheetWriter]:
        """A sheet of ``rows`` x ``columns`` (for its dimension), rows appended top to bottom.

        ``widths`` maps 1-based columns to widths; ``freeze`` is the top-left unfrozen cell;
        ``auto_filter`` puts a filter on the whole used range.
        """
        last = f"{get_column_letter(max(columns, 1))}{max(rows, 1)}"
        self._sheets.append((title, f"A1:{last}" if auto_filter else None))
        with self._zip.open(f"xl/worksheets/sheet{len(self._sheets)}.xml", "w") as part:
            part.write(_sheet_head(last, widths, freeze).encode())
            writer = SheetWriter(part, columns)
            yield writer
            writer.flush()
            tail = f'<autoFilter ref="A1:{last}"/>' if auto_filter else ""
            part.write(f'</sheetData>{tail}<pageMargins left="0.75" right="0.75" top="1" '
                       'bottom="1" header="0.5" footer="0.5"/></worksheet>'.encode())

    def _finish(self) -> None:
        count = len(self._sheets)
        self._zip.writestr("[Content_Types].xml", _content_types(count))
        self._zip.writestr("_rels/.rels", _relationships(
            [(f"{_REL}/officeDocument", "xl/workbook.xml")]))
        self._zip.writestr("xl/_rels/workbook.xml.rels", _relationships(
            [*((f"{_REL}/worksheet", f"worksheets/sheet{n}.xml") for n in range(1, count + 1)),
             (f"{_REL}/styles", "styles.xml")]))
        self._zip.writestr("xl/workbook.xml", _workbook(self._sheets))
        self._zip.writestr("xl/styles.xml", _stylesheet(list(self._styles)))


class SheetWriter:
    """Rows of one sheet, turned into SpreadsheetML and compressed in batches."""

    def __init__(self, part: IO[bytes], columns: int) -> None:
        self._part = part
        self._letters = [get_column_letter(n) for n in range(1, columns + 1)]
        self._pending: list[str] = []
        self.row = 0

    def append(self, cells: Sequence[Cell | None]) -> None:
        """The next row; ``None`` leaves a cell out, a ``None`` value makes a styled blank."""
        self.row += 1
        number = str(self.row)
        out = [f'<row r="{number}">']
        for letter, cell in zip(self._letters, cells, strict=False):
            if cell is None:
                continue
            value, style = cell
            kind = type(value)
            # The commonest cases inline: this loop runs for every cell of every row.
            if kind is str and value:
                text = cast(str, value).replace("&", "&amp;").replace("<", "&lt;").replace(
                    ">", "&gt;")
                space = _PRESERVE if text[0] in _XML_SPACE or text[-1] in _XML_SPACE else ""
                out.append(f'<c r="{letter}{number}"{_STYLE[style]} t="inlineStr"><is>'
                           f"<t{space}>{text}</t></is></c>")
            elif kind is int or (kind is Decimal and cast(Decimal, value).is_finite()):
                out.append(f'<c r="{letter}{number}"{_STYLE[style]}><v>{value}</v></c>')
            elif kind is date:
                out.append(f'<c r="{letter}{number}"{_STYLE[style]}><v>'
                           f"{cast(date, value).toordinal() - _EPOCH_ORDINAL}</v></c>")
            elif value is None:
                out.append(f'<c r="{letter}{number}"{_STYLE[style]}/>')
            else:
                out.append(_cell(letter + number, value, style))
        out.append("</row>")
        self._pending.append("".join(out))
        if len(self._pending) >= _ROWS_PER_WRITE:
            self.flush()

    def skip(self) -> None:
        """An empty row."""
        self.row += 1

    def flush(self) -> None:
        """Compress what is pending."""
        if self._pending:
            self._part.write("".join(self._pending).encode())
            self._pending = []


# `` s="N"`` for style N, rendered once; index 0, the default style, needs none.
_STYLE = ["", *(f' s="{n}"' for n in range(1, 256))]
_XML_SPACE = " \t\r\n"
_PRESERVE = ' xml:space="preserve"'


def _cell(ref: str, value: CellValue, style: int) -> str:
    s = _STYLE[style]
    if isinstance(value, str) and value:
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        space = _PRESERVE if text[0] in _XML_SPACE or text[-1] in _XML_SPACE else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    number = _number(value)
    if number is None:
        return _cell(ref, str(value), style)
    return f'<c r="{ref}"{s}><v>{number}</v></c>'


def _number(value: CellValue) -> str | None:
    """A value as the number Excel stores (dates as days since 1899-12-30), or None."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, datetime):
        moment = (value.replace(tzinfo=None) - _EPOCH) / timedelta(days=1)
        return repr(moment)
    if isinstance(value, date):
        return str((value - _EPOCH.date()).days)
    if isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return repr(seconds / 86400)
    if isinstance(value, timedelta):
        return repr(value / timedelta(days=1))
    return None


def _escape_attribute(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _sheet_head(last: str, widths: dict[int, float], freeze: str | None) -> str:
    view = '<sheetView workbookViewId="0">'
    if freeze and freeze != "A1":
        column, row = _split_ref(freeze)
        splits = (f' xSplit="{column - 1}"' if column > 1 else "") + \
                 (f' ySplit="{row - 1}"' if row > 1 else "")
        pane = ("bottomRight" if column > 1 and row > 1
                else "topRight" if column > 1 else "bottomLeft")
        view += (f'<pane{splits} topLeftCell="{freeze}" activePane="{pane}" state="frozen"/>'
                 f'<selection pane="{pane}" activeCell="{freeze}" sqref="{freeze}"/>')
    view += "</sheetView>"
    cols = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
                   for n, w in sorted(widths.items()))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
            f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")


def _split_ref(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - ord("A") + 1
    return column, int(ref[len(letters):])


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        f'ContentType="{_TYPES}.worksheet+xml"/>' for n in range(1, sheets + 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPES}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_TYPES}.styles+xml"/>'
            f"{overrides}</Types>")


def _relationships(targets: Iterable[tuple[str, str]]) -> str:
    items = "".join(f'<Relationship Id="rId{n}" Type="{kind}" Target="{target}"/>'
                    for n, (kind, target) in enumerate(targets, start=1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_PKG_REL}">{items}</Relationships>')


def _workbook(sheets: list[tuple[str, str | None]]) -> str:
    entries = "".join(f'<sheet name="{_escape_attribute(title)}" sheetId="{n}" r:id="rId{n}"/>'
                      for n, (title, _) in enumerate(sheets, start=1))
    # Excel keeps an auto-filter's range in this hidden name; openpyxl writes it too.
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        f"{_escape_attribute(quote_sheetname(title))}!{_absolute(area)}</definedName>"
        for n, (title, area) in enumerate(sheets) if area)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{entries}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + '<calcPr calcId="124519"/></workbook>')


def _absolute(area: str) -> str:
    corners = []
    for corner in area.split(":"):
        letters = corner.rstrip("0123456789")
        corners.append(f"${letters}${corner[len(letters):]}")
    return ":".join(corners)


def _stylesheet(styles: list[CellStyle]) -> str:
    formats = dict(_BUILTIN_FORMATS)
    fonts: list[tuple[bool, str | None, float | None]] = [(False, None, None)]
    fills: list[str | None] = [None, "gray125"]  # Excel expects these two fills first
    xfs = []
    for style in styles:
        formats.setdefault(style.number_format, 164 + len(formats) - len(_BUILTIN_FORMATS))
        font = (style.bold, style.color, style.size)
        if font not in fonts:
            fonts.append(font)
        if style.fill is not None and style.fill not in fills:
            fills.append(style.fill)
        alignment = ""
        if style.wrap or style.vertical:
            alignment = "<alignment" + (f' vertical="{style.vertical}"' if style.vertical
                                        else "") + (' wrapText="1"' if style.wrap else "") + "/>"
        number_format = formats[style.number_format]
        fill = fills.index(style.fill) if style.fill is not None else 0
        xfs.append(f'<xf numFmtId="{number_format}" fontId="{fonts.index(font)}" '
                   f'fillId="{fill}" borderId="0" xfId="0"'
                   + (' applyNumberFormat="1"' if number_format else "")
                   + (' applyFont="1"' if font != fonts[0] else "")
                   + (' applyFill="1"' if fill else "")
                   + (f' applyAlignment="1">{alignment}</xf>' if alignment else "/>"))
    custom = [(number, name) for name, number in formats.items() if number >= 164]
    num_fmts = "".join(f'<numFmt numFmtId="{number}" formatCode="{_escape_attribute(name)}"/>'
                       for number, name in custom)
    font_xml = "".join(
        "<font>" + ("<b/>" if bold else "") + f'<sz val="{size or 11}"/>'
        + (f'<color rgb="FF{color}"/>' if color else '<color theme="1"/>')
        + '<name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
        for bold, color, size in fonts)
    fill_xml = '<fill><patternFill patternType="none"/></fill>' \
        '<fill><patternFill patternType="gray125"/></fill>' + "".join(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
            '<bgColor indexed="64"/></patternFill></fill>' for rgb in fills[2:])
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(custom)}">{num_fmts}</numFmts>' if custom else "")
            + f'<fonts count="{len(fonts)}">{font_xml}</fonts>'
            f'<fills count="{len(fills)}">{fill_xml}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            f'borderId="0"/></cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>")
