"""Workbooks as Excel and LibreOffice write them: numbers, real dates, several sheets."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from template_support import rewrite_zip, xlsx

from core.campaign import Campaign
from core.template import RowProblem, TemplateError, TemplateErrorCode, read_rows

HEADER = ["Numéro de série", "Produit", "Date d'installation", "Code postal"]


def test_serial_as_number_cell_and_dates_as_datetime_cells(fr_campaign: Campaign) -> None:
    data = xlsx([HEADER,
                 [3012345678, "Sunny Home Manager", datetime(2026, 3, 2), 1000],
                 [3.012345679e9, "STP-SE", date(2026, 3, 3), 75001]])
    result = read_rows(data, "appareils.xlsx", fr_campaign)
    assert [row.serial for row in result.rows] == ["3012345678", "3012345679"]
    assert [row.installed_on for row in result.rows] == [date(2026, 3, 2), date(2026, 3, 3)]
    assert [row.postcode for row in result.rows] == ["01000", "75001"]
    assert all(row.ok for row in result.rows)


def test_date_typed_as_an_excel_serial_number(it_campaign: Campaign) -> None:
    data = xlsx([["Numero di serie", "Prodotto", "Data di installazione"],
                 ["3012345678", "SMA EV Charger", 46108]])
    (row,) = read_rows(data, "x.xlsx", it_campaign).rows
    assert row.installed_on == date(2026, 3, 27)


def test_macro_enabled_workbook_is_read_like_xlsx(fr_campaign: Campaign) -> None:
    data = rewrite_zip(xlsx([HEADER, ["3012345678", "SHM", "01/03/2026"]]), {
        "[Content_Types].xml": lambda xml: xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")})
    (row,) = read_rows(data, "appareils.xlsm", fr_campaign).rows
    assert row.product_code == "SHM"


def test_sheet_named_devices_is_read_even_when_not_first(it_campaign: Campaign) -> None:
    data = xlsx([["Numero di serie", "Prodotto", "Data di installazione"],
                 ["3012345678", "SMA EV Charger", "01/03/2026"]],
                title="Dispositivi", before=["Copertina"])
    result = read_rows(data, "x.xlsx", it_campaign)
    assert result.sheet == "Dispositivi"
    assert len(result.rows) == 1


def test_header_is_found_on_the_sheet_that_has_one(fr_campaign: Campaign) -> None:
    data = xlsx([["Serial number", "Product", "Installation date"],
                 ["3012345678", "SHM", "01/03/2026"]], title="Export", before=["Notes"])
    assert read_rows(data, "x.xlsx", fr_campaign).sheet == "Export"


def test_rows_keep_their_spreadsheet_numbers_across_gaps(fr_campaign: Campaign) -> None:
    rows: list[list[object]] = [["Rapport"], [], [*HEADER]]
    rows += [["3012345678", "SHM", "01/03/2026"], [], [], ["3012345679", "SHM", "01/03/2026"]]
    result = read_rows(xlsx(rows), "x.xlsx", fr_campaign)
    assert result.header_row == 3
    assert [row.row_number for row in result.rows] == [4, 7]


def test_original_cells_are_kept_for_the_result_workbook(fr_campaign: Campaign) -> None:
    data = xlsx([[*HEADER, "Chantier"], ["3012345678", "SHM", "01/03/2026", None, "Dupont"]])
    (row,) = read_rows(data, "x.xlsx", fr_campaign).rows
    assert row.cells == ("3012345678", "SHM", "01/03/2026", None, "Dupont")


def test_unknown_product_in_a_workbook_is_a_row_problem(fr_campaign: Campaign) -> None:
    data = xlsx([HEADER, ["3012345678", "Sunny Boy 5.0", datetime(2026, 3, 2)]])
    (row,) = read_rows(data, "x.xlsx", fr_campaign).rows
    assert (row.problem, row.raw_product) == (RowProblem.UNKNOWN_PRODUCT, "Sunny Boy 5.0")


def test_workbook_with_only_an_empty_sheet_is_empty(fr_campaign: Campaign) -> None:
    with pytest.raises(TemplateError) as raised:
        read_rows(xlsx([]), "vide.xlsx", fr_campaign)
    assert raised.value.code is TemplateErrorCode.EMPTY
