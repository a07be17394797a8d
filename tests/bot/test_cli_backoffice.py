"""``cashback review …``, ``pay`` by registration id and ``report``, through ``main``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from cli_support import run

from bot.bootstrap import bootstrap
from bot.cli import main
from bot.sandbox import sandbox_devices
from core.eligibility import in_audit_sample
from core.statuses import Channel
from storage.services.review import IncomingDocument, record_documents

pytestmark = pytest.mark.usefixtures("sandbox")

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def audited_serial(skip: int = 0) -> str:
    app = bootstrap()
    try:
        campaign = app.campaign("fr-2026")
        return [d.serial for d in sandbox_devices()
                if d.product_code == "STP-SE" and in_audit_sample(d.serial, campaign)][skip]
    finally:
        app.engine.dispose()


def under_review(capsys: pytest.CaptureFixture[str], skip: int = 0) -> str:
    """A registration the audit draw picked, with an invoice received by e-mail."""
    serial = audited_serial(skip)
    run(capsys, "register", "--campaign", "fr-2026", "--company", "100001", "--serial", serial,
        "--product", "STP-SE", "--installed", "01/06/2026")
    app = bootstrap()
    try:
        with app.uow() as uow:
            record_documents(uow, store=app.documents, campaign=app.campaign("fr-2026"),
                             serial=serial, sender="office@dupont.example",
                             documents=[IncomingDocument("facture.pdf", "application/pdf", PDF)],
                             channel=Channel.EMAIL, now=app.clock())
    finally:
        app.engine.dispose()
    return serial


def test_review_list_shows_the_queue_with_documents(
        capsys: pytest.CaptureFixture[str]) -> None:
    first, second = under_review(capsys), under_review(capsys, 1)

    code, out, _ = run(capsys, "review", "list", "--json")
    _, text, _ = run(capsys, "review", "list", "--lang", "fr")

    assert code == 0
    queue = json.loads(out)
    assert [item["serial"] for item in queue] == [first, second]
    [document] = queue[0]["documents"]
    assert (document["filename"], document["content_type"], document["size"],
            document["sender"], document["channel"]) == (
        "facture.pdf", "application/pdf", len(PDF), "office@dupont.example", "email")
    assert "Documents reçus, vérification en cours depuis" in text
    assert "facture.pdf" in text


def test_review_show_gives_each_documents_stored_path(
        capsys: pytest.CaptureFixture[str]) -> None:
    serial = under_review(capsys)

    code, out, _ = run(capsys, "review", "show", serial, "--json")

    [document] = json.loads(out)["documents"]
    assert code == 0
    assert Path(document["path"]).read_bytes() == PDF


def test_review_ask_opens_a_new_request_with_its_own_deadline(
        capsys: pytest.CaptureFixture[str]) -> None:
    serial = under_review(capsys)

    code, out, _ = run(capsys, "review", "ask", serial, "--what",
                       "commissioning_protocol,installation_photo", "--days", "5",
                       "--note", "la plaque signalétique", "--operator", "Anne", "--lang", "fr")
    _, history, _ = run(capsys, "history", serial, "--json")

    assert code == 0
    assert "protocole de mise en service" in out
    last = json.loads(history)["events"][-1]
    assert (last["to_status"], last["actor"], last["channel"], last["detail"]) == (
        "info_required", "Anne", "operator", "la plaque signalétique")


def test_review_ask_refuses_an_unknown_document_kind(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["review", "ask", "3000000001", "--what", "passport"])


def test_review_approve_and_reject_are_the_top_level_commands(
        capsys: pytest.CaptureFixture[str]) -> None:
    accepted, refused = under_review(capsys), under_review(capsys, 1)

    assert run(capsys, "review", "approve", accepted)[0] == 0
    assert run(capsys, "review", "reject", refused, "--reason", "illisible")[0] == 0
    _, out, _ = run(capsys, "review", "list", "--json")

    assert json.loads(out) == []


def test_pay_by_registration_id_with_italian_headers_is_idempotent(
        capsys: pytest.CaptureFixture[str], sandbox: Path) -> None:
    serial = under_review(capsys)
    _, shown, _ = run(capsys, "review", "show", serial, "--json")
    registration_id = json.loads(shown)["registration_id"]
    run(capsys, "review", "approve", serial)
    payments = sandbox / "pagamenti.csv"
    payments.write_text(f"ID registrazione;Riferimento;Data pagamento\n"
                        f"{registration_id};BONIFICO-1;30/06/2026\n", encoding="utf-8")

    first = run(capsys, "pay", "--file", str(payments), "--campaign", "fr-2026", "--json")
    again = run(capsys, "pay", "--file", str(payments), "--campaign", "fr-2026", "--json")

    assert [r["outcome"] for r in json.loads(first[1])] == ["paid"]
    assert [r["outcome"] for r in json.loads(again[1])] == ["already_paid"]


def test_a_payment_line_without_serial_or_id_names_the_line(
        capsys: pytest.CaptureFixture[str], sandbox: Path) -> None:
    payments = sandbox / "payments.csv"
    payments.write_text("serial,registration_id,reference,paid_on\n,,PAY-1,2026-06-30\n",
                        encoding="utf-8")

    code, _, err = run(capsys, "pay", "--file", str(payments), "--campaign", "fr-2026")

    assert code == 2
    assert "payments.csv" in err
    assert "2" in err


def test_report_writes_the_workbook_in_the_chosen_language(
        capsys: pytest.CaptureFixture[str], sandbox: Path) -> None:
    under_review(capsys)
    target = sandbox / "rapporto.xlsx"

    code, out, _ = run(capsys, "report", "--campaign", "fr-2026", "-o", str(target),
                       "--lang", "it")

    assert code == 0
    assert "rapporto.xlsx" in out
    workbook = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    assert workbook.sheetnames == ["Aziende", "Prodotti", "Richieste aperte",
                                   "Registro di audit"]
    assert workbook["Aziende"]["A2"].value == "100001"
    assert workbook["Registro di audit"].max_row == 3  # header, verdict, documents
