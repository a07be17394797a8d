"""Demo data for the local sandbox, so the assistant can be tried without any real account."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import select

from bot.bootstrap import App
from core.eligibility import in_audit_sample
from core.masterdata import Device
from storage.services.companies import CompanyRecord, import_companies, import_masterdata
from storage.tables import Company

SANDBOX_COMPANIES = (
    CompanyRecord("100001", "Soleil Installations SARL (sandbox)", "fr-2026", "fr",
                  ("contact@soleil-installations.example",)),
    CompanyRecord("200001", "Sole Impianti Srl (sandbox)", "it-2026", "it",
                  ("info@sole-impianti.example",)),
)
# Serials 3000000001..3000000200, spread over every product of both campaigns.
SANDBOX_PRODUCTS = ("STP-SE", "SHM", "STP-CORE2", "SHS-MODULE", "EVC-BUSINESS", "EVC")


def sandbox_devices() -> list[Device]:
    """Master data for the sandbox: 200 devices produced on 2025-12-01."""
    return [Device(str(3000000001 + i), SANDBOX_PRODUCTS[i % len(SANDBOX_PRODUCTS)],
                   date(2025, 12, 1)) for i in range(200)]


def demo_serial(app: App, campaign_code: str, product_code: str) -> str:
    """A sandbox serial of ``product_code`` that the audit draw does not pick, for the hint."""
    campaign = app.campaign(campaign_code)
    return next(d.serial for d in sandbox_devices()
                if d.product_code == product_code and not in_audit_sample(d.serial, campaign))


def seed_sandbox(app: App) -> bool:
    """Load the demo companies and devices into an empty database; True if it did."""
    with app.uow() as uow:
        if uow.session.exec(select(Company.id).limit(1)).first() is not None:
            return False
    known = [c for c in SANDBOX_COMPANIES if c.campaign_code in app.campaigns]
    with app.uow() as uow:
        import_companies(uow, records=known, now=app.clock())
    with app.uow() as uow:
        import_masterdata(uow, devices=sandbox_devices())
    return True


def write_label_photos(app: App, serial: str) -> list[Path]:
    """Two demo type label photos (barcode, text only) to send on the sandbox chat page."""
    from sandbox.label_photos import Degradation, Label, Symbology, photograph  # only here

    folder = app.settings.data_dir / "sandbox-labels"
    folder.mkdir(parents=True, exist_ok=True)
    tilted = Degradation(rotation=8, perspective=0.03, blur=0.6, noise=0.05, light=0.3)
    paths = []
    kinds: tuple[tuple[str, Symbology], ...] = (("label-barcode.jpg", "datamatrix"),
                                               ("label-text.jpg", "none"))
    for name, symbology in kinds:
        path = folder / name
        path.write_bytes(photograph([Label(serial, symbology=symbology)], tilted))
        paths.append(path)
    return paths
