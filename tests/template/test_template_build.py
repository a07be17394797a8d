"""The blank template: localized, with the campaign's products, and readable back."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from shipped_campaigns import load_campaign
from template_support import FRENCH, ITALIAN, TRANSLATORS

from core.campaign import Campaign
from core.template import Field, TemplateError, TemplateErrorCode, build_template, read_rows

CASES = [("fr-2026", "fr"), ("fr-2026", "en"), ("it-2026", "it"), ("it-2026", "en")]


def open_template(campaign_code: str, language: str) -> openpyxl.Workbook:
    data = build_template(load_campaign(campaign_code), language, TRANSLATORS[language])
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize(("campaign_code", "language"), CASES)
def test_template_headers_are_in_the_users_language(campaign_code: str, language: str) -> None:
    sheet = open_template(campaign_code, language).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    catalog = {"fr": FRENCH, "it": ITALIAN, "en": {}}[language]
    expected = ["Serial number", "Product", "Installation date",
                "Installation postcode (optional)", "Note (optional)"]
    assert headers == [catalog.get(text, text) for text in expected]
    assert sheet.title == catalog.get("Devices", "Devices")


@pytest.mark.parametrize(("campaign_code", "language"), CASES)
def test_product_dropdown_lists_the_campaigns_products_in_the_users_language(
        campaign_code: str, language: str) -> None:
    campaign = load_campaign(campaign_code)
    workbook = open_template(campaign_code, language)
    validation = next(v for v in workbook.worksheets[0].data_validations.dataValidation
                      if v.type == "list")
    assert "B2" in validation.sqref
    sheet_name, cells = validation.formula1.split("!")
    listed = workbook[sheet_name.strip("'").replace("''", "'")]
    first, last = (int(ref.split("$")[-1]) for ref in cells.split(":"))
    names = [listed.cell(row=row, column=1).value for row in range(first, last + 1)]
    assert names == [product.name(language) for product in campaign.products.values()]


def test_home_storage_is_listed_per_battery_module_in_french() -> None:
    workbook = open_template("fr-2026", "fr")
    instructions = workbook.worksheets[1]
    values = [cell.value for row in instructions.iter_rows() for cell in row if cell.value]
    assert "SMA Home Storage (module de batterie)" in values


def test_date_column_shows_dd_mm_yyyy_and_accepts_only_dates() -> None:
    sheet = open_template("it-2026", "it").worksheets[0]
    assert sheet.column_dimensions["C"].number_format == "DD/MM/YYYY"
    validation = next(v for v in sheet.data_validations.dataValidation if v.type == "date")
    assert "C2" in validation.sqref


def test_serial_and_postcode_columns_are_text_so_excel_keeps_every_digit() -> None:
    sheet = open_template("fr-2026", "fr").worksheets[0]
    assert sheet.column_dimensions["A"].number_format == "@"
    assert sheet.column_dimensions["D"].number_format == "@"


def test_header_row_is_frozen_and_columns_are_wide_enough() -> None:
    sheet = open_template("fr-2026", "fr").worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 35
    assert all(sheet.column_dimensions[letter].width >= 15 for letter in "ABCDE")


@pytest.mark.parametrize(("campaign_code", "language"), CASES)
def test_instructions_are_in_the_users_language_with_amounts_as_currency(
        campaign_code: str, language: str) -> None:
    workbook = open_template(campaign_code, language)
    instructions = workbook.worksheets[1]
    texts = [str(cell.value) for row in instructions.iter_rows() for cell in row if cell.value]
    expected = TRANSLATORS[language].gettext("Product: choose it from the list.")
    assert any(expected in text for text in texts)
    assert any("27/03/2026" in text for text in texts)  # the date format, by example
    assert any(".csv" in text for text in texts)
    amounts = [cell for row in instructions.iter_rows() for cell in row
               if cell.number_format and "€" in cell.number_format]
    assert len(amounts) == len(load_campaign(campaign_code).products)


@pytest.mark.parametrize(("campaign_code", "language"), CASES)
def test_filled_in_template_reads_back(campaign_code: str, language: str) -> None:
    campaign = load_campaign(campaign_code)
    workbook = open_template(campaign_code, language)
    sheet = workbook.worksheets[0]
    products = list(campaign.products.values())
    for index, product in enumerate(products):
        sheet.append([f"30123456{index:02d}", product.name(language),
                      datetime(2026, 3, index + 1), "01000", "ok"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = read_rows(buffer.getvalue(), "retour.xlsx", campaign)

    assert result.header_row == 1
    assert set(result.columns) == set(Field)
    assert [row.product_code for row in result.rows] == [p.code for p in products]
    assert [row.installed_on.day for row in result.rows if row.installed_on] == \
        list(range(1, len(products) + 1))
    assert all(row.ok and row.postcode == "01000" for row in result.rows)
    assert result.rows[0].row_number == 2


def test_template_sent_back_without_rows_is_empty(fr_campaign: Campaign) -> None:
    data = build_template(fr_campaign, "fr", TRANSLATORS["fr"])
    with pytest.raises(TemplateError) as raised:
        read_rows(data, "modele.xlsx", fr_campaign)
    assert raised.value.code is TemplateErrorCode.EMPTY
