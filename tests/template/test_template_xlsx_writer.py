"""The streaming writer of the result workbook: what spreadsheets read back from it."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
import python_calamine

from core.template.xlsx_writer import CellStyle, XlsxWriter


def one_sheet(cells: list[tuple[object, int]], styles: tuple[CellStyle, ...] = ()) -> bytes:
    with XlsxWriter() as book:
        ids = [book.style(style) for style in styles]
        with book.sheet("Résultats d'Anne", rows=2, columns=len(cells), widths={1: 8, 3: 40},
                        freeze="B2", auto_filter=True) as sheet:
            sheet.append([(f"h{n}", ids[0] if ids else 0) for n in range(len(cells))])
            sheet.append(cells)  # type: ignore[arg-type]
    return book.data


def test_values_come_back_as_the_same_types_in_openpyxl_and_calamine() -> None:
    values = ["  a & b <c> ", 3012345678, 2.5, Decimal("100.00"), date(2026, 3, 1),
              datetime(2026, 3, 1, 12, 30), True, "=1+1", "été"]
    dated = CellStyle(number_format="DD/MM/YYYY")
    data = one_sheet([(value, 1 if isinstance(value, date) else 0) for value in values],
                     (CellStyle(), dated))
    row = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(data)).active[2]]
    assert row == ["  a & b <c> ", 3012345678, 2.5, 100, datetime(2026, 3, 1),
                   datetime(2026, 3, 1, 12, 30), True, "=1+1", "été"]
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    read = workbook.get_sheet_by_index(0).to_python()
    assert read[1][0] == "  a & b <c> "
    assert read[1][1] == 3012345678
    assert read[1][7] == "=1+1"


def test_text_is_a_string_cell_never_a_formula() -> None:
    data = one_sheet([("=HYPERLINK(\"x\")", 0), ("@SUM(A1)", 0)])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [cell.data_type for cell in sheet[2]] == ["s", "s"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_times_and_durations_are_fractions_of_a_day() -> None:
    data = one_sheet([(time(12, 0), 1), (timedelta(hours=36), 2)],
                     (CellStyle(), CellStyle(number_format="h:mm:ss"),
                      CellStyle(number_format="[h]:mm:ss")))
    assert [cell.value for cell in openpyxl.load_workbook(io.BytesIO(data)).active[2]] == [
        time(12, 0), timedelta(hours=36)]


def test_styles_fills_formats_fonts_and_wrapping() -> None:
    header = CellStyle(fill="1F4E79", bold=True, color="FFFFFF", wrap=True, vertical="center")
    money = CellStyle(fill="F8CBAD", number_format='#,##0.00\\ "€"')
    dated = CellStyle(number_format="DD/MM/YYYY")
    with XlsxWriter() as book:
        ids = [book.style(style) for style in (header, money, dated)]
        assert book.style(money) == ids[1]  # the same look is one style
        with book.sheet("S", rows=2, columns=3, widths={}) as sheet:
            sheet.append([("Head", ids[0])])
            sheet.append([(Decimal(5), ids[1]), None, (date(2026, 1, 2), ids[2])])
    sheet = openpyxl.load_workbook(io.BytesIO(book.data)).active
    head, amount, day = sheet["A1"], sheet["A2"], sheet["C2"]
    assert head.font.bold
    assert head.font.color.rgb.endswith("FFFFFF")
    assert head.fill.fgColor.rgb.endswith("1F4E79")
    assert head.alignment.wrap_text
    assert head.alignment.vertical == "center"
    assert amount.fill.fgColor.rgb.endswith("F8CBAD")
    assert "€" in amount.number_format
    assert day.number_format == "DD/MM/YYYY"
    assert day.value == datetime(2026, 1, 2)
    assert sheet["B2"].value is None


def test_sheet_layout_widths_frozen_pane_filter_and_a_title_with_an_apostrophe() -> None:
    data = one_sheet([("x", 0), ("y", 0), ("z", 0)])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Résultats d'Anne"
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:C2"
    assert sheet.column_dimensions["A"].width == 8
    assert sheet.column_dimensions["C"].width == 40


def test_many_rows_stream_through_in_order() -> None:
    with XlsxWriter() as book, book.sheet("S", rows=1201, columns=1, widths={}) as sheet:
        for number in range(1201):
            sheet.append([(number, 0)])
    values = [row[0] for row in openpyxl.load_workbook(
        io.BytesIO(book.data), read_only=True).active.iter_rows(values_only=True)]
    assert values == list(range(1201))
