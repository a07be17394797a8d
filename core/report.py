"""The campaign report workbook for the back office.

Counts and amounts per company, per product and per status, the open information requests
with their due days, and the audit trail. Pure: data in, bytes out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook

from core.campaign import Campaign
from core.i18n import Translator
from core.information_requests import DocumentKind
from core.sheets import Column, add_table, euros, new_workbook, workbook_bytes
from core.statuses import Status
from core.template.safety import CellValue
from core.template.styles import currency_format
from core.wording import documents_text, status_name

REPORT_STATUSES = (Status.PENDING_PAYMENT, Status.INFO_REQUIRED, Status.UNDER_REVIEW,
                   Status.PAID, Status.INELIGIBLE)


@dataclass(frozen=True)
class Totals:
    """One company's or product's registrations: per status, (count, amount in cents)."""

    key: str
    name: str
    per_status: Mapping[Status, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenRequestLine:
    """An information request still waiting for documents."""

    customer_number: str
    company_name: str
    serial: str
    product_code: str
    reference: str
    documents: tuple[DocumentKind, ...]
    opened_at: datetime
    due_on: date


@dataclass(frozen=True)
class AuditLine:
    """One status event: who changed what, when, through which channel and why."""

    at: datetime
    serial: str
    customer_number: str
    from_status: str | None
    to_status: str
    actor: str
    channel: str
    reason: str | None
    detail: str | None


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, read from the database by the caller."""

    companies: Sequence[Totals]
    products: Sequence[Totals]
    requests: Sequence[OpenRequestLine]
    audit: Sequence[AuditLine]


def build_report(data: ReportData, campaign: Campaign, language: str, t: Translator) -> bytes:
    """The ``.xlsx`` report in ``language``; times in the campaign's time zone."""
    money = currency_format(campaign.currency, language)
    workbook = new_workbook()
    _totals_sheet(workbook, t.gettext("Companies"),
                  [Column(t.gettext("Customer number")), Column(t.gettext("Company"), 30)],
                  data.companies, money, t)
    _totals_sheet(workbook, t.gettext("Products"),
                  [Column(t.gettext("Product code")), Column(t.gettext("Product"), 30)],
                  [Totals(p.key, _product(campaign, p.key, language), p.per_status)
                   for p in data.products], money, t)
    add_table(workbook, t.gettext("Open requests"), [
        Column(t.gettext("Customer number")), Column(t.gettext("Company"), 30),
        Column(t.gettext("Serial number"), 16), Column(t.gettext("Product code")),
        Column(t.gettext("Reference")), Column(t.gettext("Documents needed"), 36),
        Column(t.gettext("Asked on"), 18), Column(t.gettext("Due date"))],
        ([r.customer_number, r.company_name, r.serial, r.product_code, r.reference,
          documents_text(r.documents, t), _local(r.opened_at, campaign), r.due_on]
         for r in sorted(data.requests, key=lambda r: (r.due_on, r.serial))))
    add_table(workbook, t.gettext("Audit trail"), [
        Column(t.gettext("Time"), 18), Column(t.gettext("Serial number"), 16),
        Column(t.gettext("Customer number")), Column(t.gettext("From"), 24),
        Column(t.gettext("To"), 24), Column(t.gettext("By"), 20),
        Column(t.gettext("Channel")), Column(t.gettext("Reason"), 24),
        Column(t.gettext("Detail"), 40)],
        ([_local(e.at, campaign), e.serial, e.customer_number,
          _status(e.from_status, t), _status(e.to_status, t), e.actor, e.channel,
          e.reason or "", e.detail or ""] for e in data.audit))
    return workbook_bytes(workbook)


def _totals_sheet(workbook: Workbook, title: str, key_columns: list[Column],
                  groups: Sequence[Totals], money: str, t: Translator) -> None:
    columns = list(key_columns)
    for status in REPORT_STATUSES:
        name = status_name(status, t)
        columns += [Column(t.gettext("%(status)s: count") % {"status": name}, 12),
                    Column(t.gettext("%(status)s: amount") % {"status": name}, 16, money)]
    columns += [Column(t.gettext("Total: count"), 12)]
    rows: list[list[CellValue]] = []
    for group in groups:
        row: list[CellValue] = [group.key, group.name]
        for status in REPORT_STATUSES:
            count, cents = group.per_status.get(status, (0, 0))
            row += [count, euros(cents)]
        row.append(sum(count for count, _ in group.per_status.values()))
        rows.append(row)
    add_table(workbook, title, columns, rows)


def _status(code: str | None, t: Translator) -> str:
    if code is None:
        return ""
    try:
        return status_name(Status(code), t)
    except ValueError:
        return code


def _local(moment: datetime, campaign: Campaign) -> datetime:
    """Wall-clock time in the campaign's country (Excel cells carry no time zone)."""
    return moment.astimezone(campaign.timezone).replace(tzinfo=None)


def _product(campaign: Campaign, code: str, language: str) -> str:
    product = campaign.product(code)
    return product.name(language) if product else code
