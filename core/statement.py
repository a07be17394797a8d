"""A company's statement workbook, the one ``/statement`` sends in chat.

What it registered, each device's status and cashback, what was paid (reference, day) and
what is still owed or needs documents. Pure: data in, bytes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from core.amounts import Summary
from core.campaign import Campaign
from core.i18n import Translator, day
from core.sheets import Column, add_table, euros, new_workbook, workbook_bytes
from core.statuses import Status
from core.template.safety import CellValue
from core.template.styles import currency_format
from core.wording import status_name

SUMMARY_ORDER = (Status.PENDING_PAYMENT, Status.INFO_REQUIRED, Status.UNDER_REVIEW,
                 Status.PAID, Status.INELIGIBLE)


@dataclass(frozen=True)
class StatementLine:
    """One registered device as the company's statement shows it."""

    serial: str
    product_code: str
    installed_on: date
    registered_at: datetime
    status: Status
    amount_cents: int
    payment_reference: str | None
    paid_on: date | None
    documents_due_on: date | None


@dataclass(frozen=True)
class StatementData:
    """The company, its totals and its devices, read by the caller."""

    customer_number: str
    company_name: str
    summary: Summary
    lines: Sequence[StatementLine]
    as_of: datetime


def build_statement(data: StatementData, campaign: Campaign, language: str,
                    t: Translator) -> bytes:
    """The ``.xlsx`` statement in ``language``: a summary sheet and a sheet of devices."""
    money = currency_format(campaign.currency, language)
    workbook = new_workbook()
    as_of = data.as_of.astimezone(campaign.timezone)
    rows: list[list[CellValue]] = [
        [data.company_name, None, None],
        [t.gettext("Customer number %(number)s") % {"number": data.customer_number}, None, None],
        [t.gettext("Campaign %(campaign)s, as of %(day)s") % {
            "campaign": campaign.code, "day": day(as_of.date(), language)}, None, None]]
    rows += [[status_name(status, t), data.summary.total(status).count,
              data.summary.total(status).amount] for status in SUMMARY_ORDER]
    rows.append([t.gettext("Total"), data.summary.count, None])
    add_table(workbook, t.gettext("Summary"), [
        Column(t.gettext("Statement"), 48), Column(t.gettext("Devices"), 12),
        Column(t.gettext("Cashback"), 16, money)], rows)
    add_table(workbook, t.gettext("Devices"), [
        Column(t.gettext("Serial number"), 16), Column(t.gettext("Product"), 30),
        Column(t.gettext("Installation date")), Column(t.gettext("Registered on")),
        Column(t.gettext("Status"), 40), Column(t.gettext("Cashback"), 14, money),
        Column(t.gettext("Payment reference"), 20), Column(t.gettext("Paid on")),
        Column(t.gettext("Documents due by"))],
        ([line.serial, _product(campaign, line.product_code, language), line.installed_on,
          line.registered_at.astimezone(campaign.timezone).date(), status_name(line.status, t),
          None if line.status is Status.INELIGIBLE else euros(line.amount_cents),
          line.payment_reference or "", line.paid_on, line.documents_due_on]
         for line in data.lines))
    return workbook_bytes(workbook)


def _product(campaign: Campaign, code: str, language: str) -> str:
    product = campaign.product(code)
    return product.name(language) if product else code
