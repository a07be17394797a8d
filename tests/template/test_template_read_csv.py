"""CSV files as installers' spreadsheets really save them."""

from __future__ import annotations

import codecs
from datetime import date

import pytest
from template_support import csv_text

from core.campaign import Campaign
from core.template import Field, Limits, RowProblem, TemplateError, TemplateErrorCode, read_rows

FR_HEADER = ["N° de série", "Produit", "Date d'installation", "Code postal", "Remarque"]


def test_semicolon_windows_1252_with_accented_headers(fr_campaign: Campaign) -> None:
    text = csv_text([FR_HEADER,
                     ["3012345678", "Sunny Home Manager", "02/03/2026", "75001", "Façade"]])
    result = read_rows(text.encode("cp1252"), "export.csv", fr_campaign)
    (row,) = result.rows
    assert (row.serial, row.product_code, row.installed_on) == \
        ("3012345678", "SHM", date(2026, 3, 2))
    assert row.note == "Façade"
    assert set(result.columns) == set(Field)


def test_comma_separated_utf8_with_bom(fr_campaign: Campaign) -> None:
    text = csv_text([["Serial number", "Product", "Installation date"],
                     ["3012345678", "Sunny Tripower CORE2", "2026-05-04"]], ",")
    result = read_rows(codecs.BOM_UTF8 + text.encode(), "devices.csv", fr_campaign)
    assert result.rows[0].product_code == "STP-CORE2"
    assert result.rows[0].installed_on == date(2026, 5, 4)
    assert result.header[0] == "Serial number"


def test_tab_separated_text(it_campaign: Campaign) -> None:
    text = csv_text([["Numero di serie", "Prodotto", "Data di installazione"],
                     ["3012345678", "SMA EV Charger", "15/06/2026"]], "\t")
    (row,) = read_rows(text.encode("utf-16"), "dispositivi.txt", it_campaign).rows
    assert (row.product_code, row.installed_on) == ("EVC", date(2026, 6, 15))


def test_quoted_fields_may_hold_separators_and_line_breaks(fr_campaign: Campaign) -> None:
    text = ('Numéro de série;Produit;Date d\'installation;Remarque\r\n'
            '3012345678;"Sunny Home Manager";01/02/2026;"toit; garage\r\ncôté sud"\r\n'
            '3012345679;"SMA Home Storage (module de batterie)";01/02/2026;"a ""b"""\r\n')
    result = read_rows(text.encode(), "f.csv", fr_campaign)
    assert [row.note for row in result.rows] == ["toit; garage\r\ncôté sud", 'a "b"']
    assert [row.product_code for row in result.rows] == ["SHM", "SHS-MODULE"]
    assert [row.row_number for row in result.rows] == [2, 3]


def test_header_after_a_title_block_and_row_numbers_as_the_installer_sees_them(
        fr_campaign: Campaign) -> None:
    text = csv_text([["Enregistrement cashback 2026"], ["Société : Dupont Solaire"], [],
                     FR_HEADER,
                     ["3012345678", "STP-SE", "01/03/2026", "", ""],
                     ["", "", "", "", ""],
                     ["3012345679", "STP-SE", "02/03/2026", "", ""]])
    result = read_rows(text.encode(), "f.csv", fr_campaign)
    assert result.header_row == 4
    assert [row.row_number for row in result.rows] == [5, 7]


def test_extra_and_shuffled_columns(fr_campaign: Campaign) -> None:
    text = csv_text([["Client", "Date d'installation", "Commentaire", "Produit", "Ville", "SN"],
                     ["Martin", "03/04/2026", "RAS", "Sunny Home Manager", "Lyon",
                      "3012345678"]])
    (row,) = read_rows(text.encode(), "f.csv", fr_campaign).rows
    assert (row.serial, row.product_code, row.installed_on, row.note) == \
        ("3012345678", "SHM", date(2026, 4, 3), "RAS")


def test_italian_headers_with_cap(it_campaign: Campaign) -> None:
    text = csv_text([["Matricola", "Tipo di dispositivo", "Data installazione", "CAP", "Note"],
                     ["3012345678", "SMA Home Storage (modulo batteria)", "10.02.2026",
                      "00184", "Roma"]])
    result = read_rows(text.encode(), "f.csv", it_campaign)
    (row,) = result.rows
    assert (row.product_code, row.installed_on, row.postcode) == \
        ("SHS-MODULE", date(2026, 2, 10), "00184")


@pytest.mark.parametrize("written", ["3012345678.0", "3.012345678E9", "3,012345678E+09",
                                     "S/N: 3012-345-678", " 3012345678 "])
def test_serials_mangled_by_spreadsheets_are_recovered(fr_campaign: Campaign,
                                                       written: str) -> None:
    text = csv_text([FR_HEADER[:3], [f'"{written}"', "STP-SE", "01/03/2026"]])
    (row,) = read_rows(text.encode(), "f.csv", fr_campaign).rows
    assert row.serial == "3012345678"
    assert row.raw_serial == written.strip()


@pytest.mark.parametrize(("written", "expected"), [
    ("46108", date(2026, 3, 27)),  # Excel serial
    ("46108.0", date(2026, 3, 27)),
    ("27/03/2026", date(2026, 3, 27)),
    ("27.03.2026", date(2026, 3, 27)),
    ("27-03-2026", date(2026, 3, 27)),
    ("2026-03-27", date(2026, 3, 27)),
    ("27/03/26", date(2026, 3, 27)),
    ("7/3/2026", date(2026, 3, 7)),
    ("27/03/2026 00:00:00", date(2026, 3, 27)),
    ("2026-03-27T10:30:00", date(2026, 3, 27)),
    ("27 mars 2026", date(2026, 3, 27)),
    ("27 marzo 2026", date(2026, 3, 27)),
    ("20260327", date(2026, 3, 27)),
])
def test_installation_dates_in_every_usual_shape(fr_campaign: Campaign, written: str,
                                                 expected: date) -> None:
    text = csv_text([FR_HEADER[:3], ["3012345678", "STP-SE", written]])
    (row,) = read_rows(text.encode(), "f.csv", fr_campaign).rows
    assert row.installed_on == expected
    assert row.ok


@pytest.mark.parametrize(("written", "problem"), [
    ("31/02/2026", RowProblem.UNREADABLE_DATE),
    ("demain", RowProblem.UNREADABLE_DATE),
    ("2026", RowProblem.UNREADABLE_DATE),
    ("", RowProblem.MISSING_DATE),
])
def test_dates_that_cannot_be_read_are_a_row_problem(fr_campaign: Campaign, written: str,
                                                     problem: RowProblem) -> None:
    text = csv_text([FR_HEADER[:3], ["3012345678", "STP-SE", written]])
    (row,) = read_rows(text.encode(), "f.csv", fr_campaign).rows
    assert (row.installed_on, row.problem) == (None, problem)
    assert row.raw_date == written


@pytest.mark.parametrize(("written", "code"), [
    ("STP-SE", "STP-SE"), ("stp se", "STP-SE"), ("Sunny Tripower Smart Energie", "STP-SE"),
    ("SUNNY HOME MANAGER", "SHM"), ("Home Manager", None), ("Sunny Home Manager 2.0", "SHM"),
    ("SMA Home Storage", "SHS-MODULE"), ("SMA Home Storage (battery module)", "SHS-MODULE"),
    ("SMA Home Storage (modulo batteria)", "SHS-MODULE"), ("EV Charger Business", "EVC-BUSINESS"),
    ("Sunny Tripower", None), ("Sunny Boy", None),
])
def test_products_by_code_name_in_any_language_or_with_a_slip(fr_campaign: Campaign,
                                                              written: str,
                                                              code: str | None) -> None:
    text = csv_text([FR_HEADER[:3], ["3012345678", written, "01/03/2026"]])
    (row,) = read_rows(text.encode(), "f.csv", fr_campaign).rows
    assert row.product_code == code
    assert row.problem is (None if code else RowProblem.UNKNOWN_PRODUCT)


def test_missing_values_and_repeated_serials_are_row_problems(fr_campaign: Campaign) -> None:
    text = csv_text([FR_HEADER[:3],
                     ["", "STP-SE", "01/03/2026"],
                     ["3012345678", "", "01/03/2026"],
                     ["3012345679", "STP-SE", "01/03/2026"],
                     ["3012345679", "STP-SE", "01/03/2026"]])
    result = read_rows(text.encode(), "f.csv", fr_campaign)
    assert [row.problem for row in result.rows] == [
        RowProblem.MISSING_SERIAL, RowProblem.MISSING_PRODUCT, None,
        RowProblem.DUPLICATE_IN_FILE]
    assert len(result.valid) == 1
    assert len(result.with_problems) == 3


def test_a_header_repeated_below_is_not_a_device(fr_campaign: Campaign) -> None:
    text = csv_text([FR_HEADER[:3], ["3012345678", "STP-SE", "01/03/2026"],
                     FR_HEADER[:3], ["3012345679", "STP-SE", "01/03/2026"]])
    assert len(read_rows(text.encode(), "f.csv", fr_campaign).rows) == 2


def test_file_without_a_recognisable_header_is_refused(fr_campaign: Campaign) -> None:
    text = csv_text([["3012345678", "STP-SE", "01/03/2026"]] * 3)
    with pytest.raises(TemplateError) as raised:
        read_rows(text.encode(), "f.csv", fr_campaign)
    assert raised.value.code is TemplateErrorCode.NO_HEADER


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", codecs.BOM_UTF8,
                                  csv_text([FR_HEADER]).encode()])
def test_file_without_devices_is_empty(fr_campaign: Campaign, data: bytes) -> None:
    with pytest.raises(TemplateError) as raised:
        read_rows(data, "f.csv", fr_campaign)
    assert raised.value.code is TemplateErrorCode.EMPTY


def test_ten_thousand_rows_are_accepted_and_one_more_is_too_many(
        fr_campaign: Campaign) -> None:
    def upload(count: int) -> bytes:
        lines = [FR_HEADER[:3]] + [[str(3_000_000_000 + i), "STP-SE", "01/03/2026"]
                                   for i in range(count)]
        return csv_text(lines).encode()

    assert len(read_rows(upload(10_000), "f.csv", fr_campaign).rows) == 10_000
    with pytest.raises(TemplateError) as raised:
        read_rows(upload(10_001), "f.csv", fr_campaign)
    assert raised.value.code is TemplateErrorCode.TOO_MANY_ROWS
    assert raised.value.limit == 10_000


def test_file_above_telegrams_download_limit_is_too_large(fr_campaign: Campaign) -> None:
    with pytest.raises(TemplateError) as raised:
        read_rows(b"x" * (20 * 1024 * 1024 + 1), "f.csv", fr_campaign)
    assert raised.value.code is TemplateErrorCode.TOO_LARGE
    with pytest.raises(TemplateError) as small:
        read_rows(b"x" * 101, "f.csv", fr_campaign, Limits(max_bytes=100))
    assert small.value.code is TemplateErrorCode.TOO_LARGE


def test_binary_data_named_csv_is_not_a_spreadsheet(fr_campaign: Campaign) -> None:
    with pytest.raises(TemplateError) as raised:
        read_rows(b"abc\x00\x01\x02;def", "f.csv", fr_campaign)
    assert raised.value.code is TemplateErrorCode.UNSUPPORTED_FORMAT
