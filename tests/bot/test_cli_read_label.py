"""``cashback read-label``: an operator checks a label photo sent by e-mail."""

import json
from pathlib import Path

import pytest
from cli_support import run

from bot.bootstrap import bootstrap
from bot.sandbox import write_label_photos
from bot.settings import Settings
from sandbox.label_photos import Degradation, Label, photograph

pytestmark = pytest.mark.usefixtures("sandbox")

PHOTO = Degradation(rotation=-9, perspective=0.02, blur=0.6, noise=0.05, light=0.25)
DEMO_SERIAL = "3000000007"  # a sandbox demo device (STP-SE)


def photo(tmp_path: Path, serial: str, symbology: str) -> str:
    path = tmp_path / f"{serial}-{symbology}.jpg"
    path.write_bytes(photograph([Label(serial, symbology=symbology)], PHOTO))  # type: ignore[arg-type]
    return str(path)


def test_prints_serial_product_and_source(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    code, out, _ = run(capsys, "read-label", photo(tmp_path, DEMO_SERIAL, "datamatrix"),
                       "--campaign", "fr-2026", "--lang", "fr")
    assert code == 0
    assert out.strip() == f"{DEMO_SERIAL} – Sunny Tripower Smart Energy (code-barres)"


def test_json_for_scripts_with_the_text_read_by_ocr(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    code, out, _ = run(capsys, "read-label", photo(tmp_path, DEMO_SERIAL, "none"),
                       "--campaign", "fr-2026", "--json")
    document = json.loads(out)
    assert code == 0
    assert document["candidates"] == [{"serial": DEMO_SERIAL, "product": "STP-SE",
                                       "source": "text", "known": True, "suggestions": []}]
    assert document["text_read"] is True


def test_an_unknown_serial_is_flagged_with_the_known_ones_close_to_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "read-label", photo(tmp_path, "3000000700", "qr"),
                       "--campaign", "it-2026", "--lang", "it")
    assert code == 0
    assert "3000000700 – ⚠️ non presente nell'elenco" in out
    assert "3000000070" in out  # one digit dropped, one added: a demo device


def test_with_several_campaigns_the_campaign_must_be_named(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "read-label", photo(tmp_path, DEMO_SERIAL, "qr"), "--lang", "en")
    assert code == 2
    assert "--campaign (fr-2026, it-2026)" in err


def test_ocr_turned_off_reads_barcodes_only(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASHBACK_LABELS_OCR", "false")
    text_only = photo(tmp_path, DEMO_SERIAL, "none")
    code, out, _ = run(capsys, "read-label", text_only, "--campaign", "fr-2026", "--lang", "en")
    assert code == 1
    assert "No serial number found" in out
    assert "OCR) is off" in out
    code, out, _ = run(capsys, "read-label", photo(tmp_path, DEMO_SERIAL, "code128"),
                       "--campaign", "fr-2026", "--lang", "en")
    assert (code, out.split(" ")[0]) == (0, DEMO_SERIAL)


def test_without_the_tesseract_program_barcodes_still_work(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASHBACK_LABELS_TESSERACT", str(tmp_path / "no-such-tesseract"))
    code, out, _ = run(capsys, "read-label", photo(tmp_path, DEMO_SERIAL, "datamatrix"),
                       "--campaign", "fr-2026", "--json")
    assert code == 0
    assert json.loads(out)["ocr_available"] is False
    assert json.loads(out)["candidates"][0]["serial"] == DEMO_SERIAL
    code, out, _ = run(capsys, "read-label", photo(tmp_path, DEMO_SERIAL, "none"),
                       "--campaign", "fr-2026", "--json")
    assert (code, json.loads(out)["candidates"]) == (1, [])


def test_a_file_that_is_not_an_image_is_refused(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    code, _, err = run(capsys, "read-label", str(tmp_path / "scan.pdf"), "--campaign",
                       "fr-2026", "--lang", "fr")
    assert code == 2
    assert "n'est pas une image JPEG, PNG ou WebP" in err


def test_the_sandbox_label_photos_give_the_demo_serial(capsys: pytest.CaptureFixture[str]) -> None:
    app = bootstrap(Settings())
    try:
        paths = write_label_photos(app, DEMO_SERIAL)
    finally:
        app.engine.dispose()
    for path in paths:
        code, out, _ = run(capsys, "read-label", str(path), "--campaign", "fr-2026", "--json")
        assert code == 0
        assert [c["serial"] for c in json.loads(out)["candidates"]] == [DEMO_SERIAL]
