"""Workbooks converted by LibreOffice headless, where it is installed (skipped otherwise)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from template_support import xlsx

from core.campaign import Campaign
from core.template import read_rows

HEADER = ["Numéro de série", "Produit", "Date d'installation", "Code postal"]
ROWS = [[3012345678, "Sunny Home Manager", datetime(2026, 3, 2), 1000],
        ["3012345679", "STP-SE", date(2026, 3, 3), 75001]]


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice is not installed: no soffice or libreoffice on PATH, so "
                    "workbooks converted by it are not tested here")
    return found


@pytest.mark.parametrize("target", ["xlsx", "csv"])
def test_workbook_converted_by_libreoffice_reads_the_same(fr_campaign: Campaign, tmp_path: Path,
                                                          target: str) -> None:
    program = soffice()
    source = tmp_path / "source" / "appareils.xlsx"
    source.parent.mkdir()
    source.write_bytes(xlsx([HEADER, *ROWS]))
    out = tmp_path / "out"
    filter_name = "csv:Text - txt - csv (StarCalc):59,34,76" if target == "csv" else "xlsx"
    subprocess.run([program, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", filter_name, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=120)
    converted = out / f"appareils.{target}"
    result = read_rows(converted.read_bytes(), converted.name, fr_campaign)
    assert [row.serial for row in result.rows] == ["3012345678", "3012345679"]
    assert [row.product_code for row in result.rows] == ["SHM", "STP-SE"]
    assert [row.installed_on for row in result.rows] == [date(2026, 3, 2), date(2026, 3, 3)]
    assert [row.postcode for row in result.rows] == ["01000", "75001"]
