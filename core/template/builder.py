"""The blank bulk-registration template, in the installer's language, for one campaign.

The template prevents the mistakes the reader would otherwise have to forgive: the product
is a drop-down of the campaign's products, the date column accepts only dates and shows them
as dd/mm/yyyy, and the serial and postcode columns are text so that Excel keeps leading zeros
and does not turn ten digits into 3.01E+09.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from core.campaign import Campaign
from core.i18n import Translator, day, number
from core.template.fields import HEADERS, Field, header_text
from core.template.limits import DEFAULT_LIMITS, Limits
from core.template.safety import put
from core.template.styles import (
    BOLD,
    DATE_FORMAT,
    TEXT_FORMAT,
    TITLE_FONT,
    WRAP,
    currency_format,
    sheet_title,
    style_header_row,
)

COLUMN_WIDTHS = {Field.SERIAL: 18, Field.PRODUCT: 40, Field.INSTALLED_ON: 18,
                 Field.POSTCODE: 22, Field.NOTE: 40}
COLUMN_FORMATS = {Field.SERIAL: TEXT_FORMAT, Field.INSTALLED_ON: DATE_FORMAT,
                  Field.POSTCODE: TEXT_FORMAT}
# Excel's DATE(2000,1,1) and DATE(2099,12,31): any real installation date is in between.
FIRST_DATE_SERIAL = 36_526
LAST_DATE_SERIAL = 73_050
_PRODUCTS_FIRST_ROW = 14


def build_template(campaign: Campaign, language: str, t: Translator,
                   limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The ``.xlsx`` template: a devices sheet to fill in and an instructions sheet."""
    workbook = Workbook()
    devices = workbook.active
    devices.title = sheet_title(t.gettext("Devices"))
    instructions = workbook.create_sheet(sheet_title(t.gettext("Instructions")))
    product_range = _write_instructions(instructions, campaign, language, t, limits)
    _write_devices(devices, t, product_range, limits.max_rows)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_devices(sheet: Any, t: Translator, product_range: str, rows: int) -> None:
    fields = list(HEADERS)
    for column, field in enumerate(fields, start=1):
        put(sheet.cell(row=1, column=column), header_text(field, t))
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = COLUMN_WIDTHS[field]
        if field in COLUMN_FORMATS:
            sheet.column_dimensions[letter].number_format = COLUMN_FORMATS[field]
    style_header_row(sheet, 1, len(fields))
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "A2"

    def column_range(field: Field) -> str:
        letter = get_column_letter(fields.index(field) + 1)
        return f"{letter}2:{letter}{rows + 1}"

    product = DataValidation(type="list", formula1=product_range, allow_blank=True,
                             showErrorMessage=True, showInputMessage=True)
    product.prompt = t.gettext("Choose the product from the list.")
    product.error = t.gettext("Please choose a product from the list.")
    product.add(column_range(Field.PRODUCT))
    installed = DataValidation(type="date", operator="between", allow_blank=True,
                               formula1=str(FIRST_DATE_SERIAL), formula2=str(LAST_DATE_SERIAL),
                               showErrorMessage=True, showInputMessage=True)
    installed.prompt = t.gettext("Installation date, as dd/mm/yyyy.")
    installed.error = t.gettext("Please enter a date as dd/mm/yyyy.")
    installed.add(column_range(Field.INSTALLED_ON))
    sheet.add_data_validation(product)
    sheet.add_data_validation(installed)


def _write_instructions(sheet: Any, campaign: Campaign, language: str, t: Translator,
                        limits: Limits) -> str:
    """Write the instructions; return the formula of the product list the drop-down uses."""
    example = day(campaign.first_installation_day.replace(day=27, month=3), language)
    lines = [
        t.gettext("One row per device. For a battery, one row per battery module."),
        t.gettext("Serial number: as printed on the device's type label."),
        t.gettext("Product: choose it from the list."),
        t.gettext("Installation date: dd/mm/yyyy, for example %(example)s.")
        % {"example": example},
        t.gettext("Installation postcode and note: optional."),
        t.gettext("Devices installed from %(first)s to %(last)s, registered by %(deadline)s.")
        % {"first": day(campaign.first_installation_day, language),
           "last": day(campaign.last_installation_day, language),
           "deadline": day(campaign.last_registration_day, language)},
        t.gettext("At most %(rows)s devices per file.")
        % {"rows": number(limits.max_rows, language)},
        t.gettext("Send the file back in the chat as .xlsx, or save it as .csv "
                  "(separator ; or ,)."),
    ]
    sheet.column_dimensions["A"].width = 45
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 20
    title = sheet.cell(row=1, column=1)
    put(title, t.gettext("How to fill in the template"))
    title.font = TITLE_FONT
    for row, line in enumerate(lines, start=3):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        cell = sheet.cell(row=row, column=1)
        put(cell, "• " + line)
        cell.alignment = WRAP
        sheet.row_dimensions[row].height = 30

    heading = sheet.cell(row=_PRODUCTS_FIRST_ROW - 2, column=1)
    put(heading, t.gettext("Products in this campaign"))
    heading.font = BOLD
    for column, text in enumerate((t.gettext("Product"), t.gettext("Code"),
                                   t.gettext("Cashback per unit")), start=1):
        put(sheet.cell(row=_PRODUCTS_FIRST_ROW - 1, column=column), text)
    style_header_row(sheet, _PRODUCTS_FIRST_ROW - 1, 3)
    money = currency_format(campaign.currency, language)
    products = list(campaign.products.values())
    for row, product in enumerate(products, start=_PRODUCTS_FIRST_ROW):
        put(sheet.cell(row=row, column=1), product.name(language))
        put(sheet.cell(row=row, column=2), product.code)
        amount = sheet.cell(row=row, column=3)
        amount.value = product.amount
        amount.number_format = money
    last = _PRODUCTS_FIRST_ROW + len(products) - 1
    return f"{quote_sheetname(sheet.title)}!$A${_PRODUCTS_FIRST_ROW}:$A${last}"
