"""``cashback portal import`` and ``cashback portal problems`` through ``main`` (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run

from bot.sandbox import sandbox_devices
from core.campaign import parse_campaign_toml
from core.eligibility import in_audit_sample

pytestmark = pytest.mark.usefixtures("sandbox")

HEADER = ("portal_user;customer_number;customer_number_entered_at;plant;serial;product;"
          "device_added_at;commissioned_on")
FR = parse_campaign_toml((Path(__file__).resolve().parents[2] / "campaigns" / "fr-2026.toml")
                         .read_text(), "fr-2026")
# Sandbox devices the audit draw does not pick: their verdict is "payment pending".
STP_SE = [d.serial for d in sandbox_devices()
          if d.product_code == "STP-SE" and not in_audit_sample(d.serial, FR)]
MODULE = next(d.serial for d in sandbox_devices() if d.product_code == "SHS-MODULE")


@pytest.fixture
def export(tmp_path: Path) -> Path:
    rows = [
        f"marie@soleil.example;100001;2026-05-01;Roux;{STP_SE[0]};STP-SE;2026-05-20;2026-05-18",
        f"marie@soleil.example;100001;2026-05-01;Roux;{STP_SE[1]};STP-SE;2026-04-20;2026-04-18",
        f"marie@soleil.example;100001;2026-05-01;Roux;{MODULE};SHS-MODULE;2026-05-20;",
        f"paul@martin.example;10001;2026-05-01;Martin;{STP_SE[2]};STP-SE;2026-05-20;",
        f"zoe@zoe.example;777777;2026-05-01;Zoé;{STP_SE[3]};STP-SE;2026-05-20;",
        f"zoe@zoe.example;777777;2026-05-01;Zoé;{STP_SE[4]};STP-SE;someday;",
    ]
    path = tmp_path / "export.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_import_prints_a_summary_per_company_and_the_rows_to_check(
        capsys: pytest.CaptureFixture[str], export: Path) -> None:
    code, out, _ = run(capsys, "portal", "import", str(export), "--lang", "fr")

    assert code == 0
    assert "appareils transférés : 1" in out
    assert ("100001 Soleil Installations SARL (sandbox) : enregistrés, paiement en attente : 1, "
            "à enregistrer manuellement (entreprise prévenue) : 1, ajoutés avant la saisie du "
            "numéro de client : 1") in out
    assert "numéro de client 10001 de l'utilisateur du portail paul@martin.example" in out
    assert "vouliez-vous dire 100001 ?" in out
    assert "777777" in out
    assert "ligne 7" in out


def test_a_second_import_of_the_same_export_changes_nothing_and_says_so(
        capsys: pytest.CaptureFixture[str], export: Path) -> None:
    run(capsys, "portal", "import", str(export))

    code, out, _ = run(capsys, "portal", "import", str(export), "--lang", "en", "--json")

    document = json.loads(out)
    assert code == 0
    assert document["first_processed_at"] is not None
    assert document["totals"]["transferred"] == 1
    assert [c["counts"] for c in document["companies"]] == [
        {"pending_payment": 1, "manual_only": 1, "not_retroactive": 1}]


def test_the_problems_of_the_latest_import_can_be_listed_again(
        capsys: pytest.CaptureFixture[str], export: Path) -> None:
    run(capsys, "portal", "import", str(export))

    code, out, _ = run(capsys, "portal", "problems", "--lang", "it", "--json")

    problems = json.loads(out)["problems"]
    assert code == 0
    assert [(p["handling"], p["customer_number"], p["detail"]) for p in problems] == [
        ("mistyped_customer_number", "10001", "100001"),
        ("unknown_customer_number", "777777", None),
        ("broken", "777777", "added_date_invalid")]
    code, out, _ = run(capsys, "portal", "problems", "--lang", "it")
    assert "forse intendeva 100001?" in out


def test_a_file_that_is_not_an_export_is_refused_with_its_reason(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("serial;product\n3000000001;STP-SE\n", encoding="utf-8")

    code, _, err = run(capsys, "portal", "import", str(path), "--lang", "fr")

    assert code == 2
    assert "customer_number" in err
