"""The report and the company statement workbooks: localized, exact amounts, and text that
came from users (company names, operators' reasons) never turns into a formula."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl

from bot.i18n import translator
from core.amounts import StatusTotal, Summary
from core.campaign import Campaign
from core.information_requests import DocumentKind
from core.report import AuditLine, OpenRequestLine, ReportData, Totals, build_report
from core.statement import StatementData, StatementLine, build_statement
from core.statuses import Status

HOSTILE = '=HYPERLINK("http://evil.example","click")'
AT = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)


def report(campaign: Campaign, language: str = "fr") -> openpyxl.Workbook:
    data = ReportData(
        companies=[Totals("100001", HOSTILE, {Status.PAID: (2, 20_000),
                                              Status.PENDING_PAYMENT: (1, 10_000)})],
        products=[Totals("STP-SE", "STP-SE", {Status.PAID: (2, 20_000)})],
        requests=[OpenRequestLine("100001", "Solaire", "3000000007", "STP-SE", "AB12",
                                  (DocumentKind.INVOICE,), AT, date(2026, 6, 29))],
        audit=[AuditLine(AT, "3000000007", "100001", "under_review", "ineligible",
                         "Anne Martin", "operator", "rejected_after_review", "@SUM(A1)")])
    data_bytes = build_report(data, campaign, language, translator(language))
    return openpyxl.load_workbook(io.BytesIO(data_bytes))


def test_the_report_has_a_sheet_per_view_with_headers_in_the_operators_language(
        fr_campaign: Campaign) -> None:
    workbook = report(fr_campaign)

    assert workbook.sheetnames == ["Entreprises", "Produits", "Demandes ouvertes",
                                   "Journal d'audit"]
    headers = [cell.value for cell in workbook["Entreprises"][1]]
    assert headers[:2] == ["Numéro de client", "Entreprise"]
    assert "Enregistrement effectué, paiement en cours : nombre" in headers


def test_the_report_counts_and_amounts_per_status_are_exact(fr_campaign: Campaign) -> None:
    sheet = report(fr_campaign)["Entreprises"]
    headers = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]

    paid = headers.index("Enregistrement effectué, paiement en cours : montant")
    assert (row[paid - 1], row[paid]) == (2, 200)
    assert row[-1] == 3  # total count


def test_open_requests_show_their_due_day_and_the_trail_its_operator(
        fr_campaign: Campaign) -> None:
    workbook = report(fr_campaign)
    request = [cell.value for cell in workbook["Demandes ouvertes"][2]]
    event = [cell.value for cell in workbook["Journal d'audit"][2]]

    assert request[5] == "facture"
    assert request[7] == datetime(2026, 6, 29)
    assert event[0] == datetime(2026, 6, 15, 10, 0)  # Paris time
    assert event[5] == "Anne Martin"


def test_text_from_users_never_becomes_a_formula_in_the_report(fr_campaign: Campaign) -> None:
    workbook = report(fr_campaign)

    name = workbook["Entreprises"]["B2"]
    detail = workbook["Journal d'audit"]["I2"]
    assert (name.data_type, name.value) == ("s", "'" + HOSTILE)
    assert (detail.data_type, detail.value) == ("s", "'@SUM(A1)")


def test_the_statement_lists_devices_payments_and_totals_in_the_installers_language(
        it_campaign: Campaign) -> None:
    summary = Summary({Status.PAID: StatusTotal(1, Decimal("150")),
                       Status.INFO_REQUIRED: StatusTotal(1, Decimal("150"))})
    data = StatementData("200001", HOSTILE, summary, [
        StatementLine("3000000100", "STP-SE", date(2026, 6, 1), AT, Status.PAID, 15_000,
                      "BONIFICO-7", date(2026, 7, 1), None),
        StatementLine("3000000101", "STP-SE", date(2026, 6, 2), AT, Status.INFO_REQUIRED,
                      15_000, None, None, date(2026, 6, 29))], AT)

    workbook = openpyxl.load_workbook(io.BytesIO(
        build_statement(data, it_campaign, "it", translator("it"))))

    assert workbook.sheetnames == ["Riepilogo", "Dispositivi"]
    summary_sheet = workbook["Riepilogo"]
    assert summary_sheet["A2"].value == "'" + HOSTILE
    devices = [[cell.value for cell in row] for row in workbook["Dispositivi"].iter_rows()]
    assert devices[1][0] == "3000000100"
    assert devices[1][4] == "Dispositivo registrato – Pagamento effettuato"
    assert (devices[1][5], devices[1][6]) == (150, "BONIFICO-7")
    assert devices[2][8] == datetime(2026, 6, 29)
