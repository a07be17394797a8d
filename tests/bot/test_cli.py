"""The operator command line, end to end through ``main`` on a real SQLite database."""

import json
from pathlib import Path

import pytest
from cli_support import run

from bot.sandbox import SANDBOX_COMPANIES, sandbox_devices
from core.campaign import parse_campaign_toml
from core.eligibility import in_audit_sample

pytestmark = pytest.mark.usefixtures("sandbox")

ROOT = Path(__file__).resolve().parents[2]
FR = parse_campaign_toml((ROOT / "campaigns" / "fr-2026.toml").read_text(), "fr-2026")


def serial_of(product: str, audited: bool = False) -> str:
    return next(d.serial for d in sandbox_devices()
                if d.product_code == product and in_audit_sample(d.serial, FR) is audited)


def register(capsys: pytest.CaptureFixture[str], serial: str, product: str = "STP-SE",
             *extra: str) -> tuple[int, str, str]:
    return run(capsys, "register", "--campaign", "fr-2026", "--company", "100001", "--serial",
               serial, "--product", product, "--installed", "01/06/2026", *extra)


def test_start_without_credentials_says_it_runs_in_the_sandbox(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", "--once", "--lang", "fr")
    assert code == 0
    assert "Mode bac à sable" in out
    assert "Entreprises de démonstration" not in out  # seeded once, by the fixture's start


def test_registering_a_known_device_answers_in_the_flyers_words(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = register(capsys, serial_of("STP-SE"), "STP-SE", "--lang", "fr")
    assert code == 0
    assert "Enregistrement terminé, paiement en attente" in out
    assert "100,00\xa0€" in out


def test_registering_in_italian_uses_the_italian_wording(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = register(capsys, serial_of("STP-SE"), "STP-SE", "--lang", "it")
    assert code == 0
    assert "Dispositivo registrato, pagamento aperto" in out


def test_a_mistyped_serial_is_refused_with_did_you_mean(
        capsys: pytest.CaptureFixture[str]) -> None:
    good = serial_of("STP-SE")
    typo = good[1] + good[0] + good[2:]  # first two digits swapped
    code, out, _ = register(capsys, typo, "STP-SE", "--json")
    assert code == 1
    answer = json.loads(out)
    assert answer["reason"] == "serial_unknown"
    assert good in answer["suggestions"]


def test_registering_twice_says_already_registered_kindly(
        capsys: pytest.CaptureFixture[str]) -> None:
    serial = serial_of("SHM")
    assert register(capsys, serial, "SHM")[0] == 0
    code, out, _ = register(capsys, serial, "SHM", "--lang", "fr")
    assert code == 1
    assert "déjà enregistré" in out


def test_status_json_counts_and_amounts(capsys: pytest.CaptureFixture[str]) -> None:
    register(capsys, serial_of("STP-SE"), "STP-SE")
    register(capsys, serial_of("STP-CORE2"), "STP-CORE2")
    code, out, _ = run(capsys, "status", "--company", "100001", "--json")
    assert code == 0
    status = json.loads(out)
    assert status["per_status"]["pending_payment"] == {"count": 2, "amount": "250"}
    assert status["pending"] == "250"


def test_status_text_is_formatted_for_the_locale(capsys: pytest.CaptureFixture[str]) -> None:
    register(capsys, serial_of("STP-SE"), "STP-SE")
    code, out, _ = run(capsys, "status", "--company", "100001", "--lang", "it")
    assert code == 0
    assert "Dispositivo registrato, pagamento aperto: 1 dispositivo, 100,00\xa0€" in out


def test_documents_flow_approve_and_pay_file_is_idempotent(
        capsys: pytest.CaptureFixture[str], sandbox: Path) -> None:
    serial = serial_of("STP-SE")
    register(capsys, serial, "STP-SE")
    payments = sandbox / "payments.csv"
    payments.write_text(f"serial;reference;paid_on\n{serial};PAY-1;27/11/2026\n"
                        "9999999999;PAY-2;27/11/2026\n", encoding="cp1252")
    code, out, _ = run(capsys, "pay", "--file", str(payments), "--campaign", "fr-2026",
                       "--json")
    assert code == 0
    assert [r["outcome"] for r in json.loads(out)] == ["paid", "not_found"]
    code, out, _ = run(capsys, "pay", "--file", str(payments), "--campaign", "fr-2026",
                       "--json")
    assert [r["outcome"] for r in json.loads(out)] == ["already_paid", "not_found"]
    code, out, _ = run(capsys, "history", serial, "--json")
    events = json.loads(out)["events"]
    assert [e["to_status"] for e in events] == ["pending_payment", "paid"]


def test_approving_a_registration_not_under_review_is_refused_clearly(
        capsys: pytest.CaptureFixture[str]) -> None:
    serial = serial_of("STP-SE")
    register(capsys, serial, "STP-SE")
    code, _, err = run(capsys, "approve", serial, "--lang", "fr")
    assert code == 2
    assert "Impossible" in err
    assert "Traceback" not in err


def test_unknown_company_gets_a_localized_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "status", "--company", "999", "--lang", "it")
    assert code == 2
    assert "Nessuna azienda con codice cliente 999" in err


def test_companies_and_masterdata_import_from_spreadsheet_csv(
        capsys: pytest.CaptureFixture[str], sandbox: Path) -> None:
    companies = sandbox / "companies.csv"
    companies.write_text("Numéro de client;Nom;Campagne;E-mail\n"
                         "300001;Électricité Générale;fr-2026;a@eg.example, b@eg.example\n",
                         encoding="cp1252")
    code, out, _ = run(capsys, "companies", "import", str(companies), "--lang", "fr")
    assert code == 0, out
    assert "1 ajoutées" in out
    devices = sandbox / "devices.csv"
    devices.write_text("\ufeffserial,product,production_date\n3100000001,STP-SE,2025-10-01\n")
    code, out, _ = run(capsys, "masterdata", "import", str(devices))
    assert code == 0
    code, out, _ = run(capsys, "register", "--campaign", "fr-2026", "--company", "300001",
                       "--serial", "SN: 3100000001", "--product", "STP-SE", "--installed",
                       "2026-03-02", "--json")
    assert json.loads(out)["serial"] == "3100000001"


def test_a_file_missing_a_column_names_the_file_and_the_column(
        capsys: pytest.CaptureFixture[str], sandbox: Path) -> None:
    bad = sandbox / "companies.csv"
    bad.write_text("customer_number;name\n1;x\n")
    code, _, err = run(capsys, "companies", "import", str(bad), "--lang", "en")
    assert code == 2
    assert "companies.csv" in err
    assert "campaign" in err


def test_an_invalid_campaign_file_names_file_key_and_problem(
        capsys: pytest.CaptureFixture[str], sandbox: Path) -> None:
    bad = sandbox / "xx-2026.toml"
    text = (ROOT / "campaigns" / "fr-2026.toml").read_text()
    bad.write_text(text.replace('code = "fr-2026"', 'code = "xx-2026"')
                   .replace("deadline_days = 14", "deadline_days = 0"))
    code, _, err = run(capsys, "campaigns", "check", str(bad))
    assert code == 2
    assert "xx-2026.toml" in err
    assert "documents.deadline_days" in err


def test_the_sandbox_hint_serial_registers_without_audit(
        capsys: pytest.CaptureFixture[str]) -> None:
    company = SANDBOX_COMPANIES[0]
    code, out, _ = run(capsys, "run", "--once")
    hint = next(line for line in out.splitlines() if "register" in line)
    serial = hint.split("--serial ")[1].split()[0]
    assert company.customer_number in hint
    assert register(capsys, serial, "STP-SE")[0] == 0


def test_template_round_trip_through_the_command_line(
        capsys: pytest.CaptureFixture[str], sandbox: Path) -> None:
    from openpyxl import load_workbook

    blank = sandbox / "modele.xlsx"
    assert run(capsys, "template", "--campaign", "fr-2026", "--lang", "fr", "-o",
               str(blank))[0] == 0
    workbook = load_workbook(blank)
    sheet = workbook.worksheets[0]
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value)
    assert sheet.cell(header_row, 1).value == "Numéro de série"
    sheet.cell(header_row + 1, 1).value = int(serial_of("STP-SE"))
    sheet.cell(header_row + 1, 2).value = "Sunny Tripower Smart Energy"
    sheet.cell(header_row + 1, 3).value = "01/06/2026"
    workbook.save(blank)

    result = sandbox / "resultat.xlsx"
    code, out, _ = run(capsys, "import-template", str(blank), "--company", "100001",
                       "--lang", "fr", "-o", str(result))

    assert code == 0, out
    assert "1 ligne lue" in out
    assert result.exists()
    code, out, _ = run(capsys, "import-template", str(blank), "--company", "100001",
                       "--lang", "fr")
    assert "déjà été traité" in out


def test_import_template_json_lists_every_row(capsys: pytest.CaptureFixture[str],
                                              sandbox: Path) -> None:
    upload = sandbox / "devices.csv"
    upload.write_text(f"serial,product,installation date\n{serial_of('SHM')},SHM,2026-06-01\n"
                      "12,SHM,2026-06-01\n", encoding="utf-8-sig")
    code, out, _ = run(capsys, "import-template", str(upload), "--company", "100001", "--json")
    assert code == 0
    answer = json.loads(out)
    assert [row["mark"] for row in answer["rows"]] == ["accepted", "rejected"]
    assert answer["rows"][1]["reason"] == "serial_format_invalid"


def test_an_unreadable_upload_gets_a_localized_message(capsys: pytest.CaptureFixture[str],
                                                        sandbox: Path) -> None:
    old = sandbox / "vecchio.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    code, _, err = run(capsys, "import-template", str(old), "--company", "200001",
                       "--lang", "it")
    assert code == 2
    assert "xlsx" in err
    assert "Traceback" not in err
