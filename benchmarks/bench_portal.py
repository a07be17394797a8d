"""The Sunny Portal daily transfer end to end: a 100,000-row export read, decided and stored.

500 enrolled companies with 200 devices each in the export, every serial in the master data.
Most rows are transferred through the rules engine (channel ``portal``); the rest are what a
real export holds: manual-only products (each company told once), devices added before the
customer number was entered, profiles with an unknown or mistyped customer number, products
outside the campaign, and a few broken rows. The figure is rows per second of the whole
``import_portal_export`` (one transaction); a re-import of the same bytes is timed too.
"""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, timedelta
from time import perf_counter, process_time

from sqlalchemy import func, select

from benchmarks.support import (
    arguments,
    emit,
    enrol,
    fresh_engine,
    load_campaign,
    log,
    server_version,
)
from benchmarks.support import stopping_cleanly as stopping
from core.campaign import Campaign
from core.masterdata import Device
from storage.services.portal import import_portal_export
from storage.tables import PortalDevice, Registration
from storage.uow import UnitOfWork

NAME = "portal"
ROWS = 100_000
COMPANIES = 500
TARGET_ROWS_PER_S = 5_000
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
FIRST_SERIAL = 5_000_000_000
ENTERED = date(2026, 2, 1)
HEADER = ("portal_user;customer_number;customer_number_entered_at;plant;serial;product;"
          "device_added_at;commissioned_on")
TRANSFERABLE = ("STP-SE", "SHM", "STP-CORE2")


def customer_number(index: int) -> str:
    return f"P-{index:05d}"


def build(campaign: Campaign, rows: int) -> tuple[bytes, list[Device], int]:
    """The export's bytes, the master data it needs, and how many rows should transfer."""
    lines = [HEADER]
    devices = []
    transfer = 0
    span = (NOW.date() - ENTERED).days - 1
    for index in range(rows):
        serial = str(FIRST_SERIAL + index)
        company = index % COMPANIES
        number = customer_number(company)
        added = ENTERED + timedelta(days=1 + index % span)
        kind = index % 100
        product = TRANSFERABLE[index % 3]
        if kind < 4:
            product = ("SHS-MODULE", "EVC-BUSINESS")[kind % 2]
        elif kind < 6:
            added = ENTERED - timedelta(days=3)  # before the number: not retroactive
        elif kind == 6:
            number = f"{number}9"  # one keystroke off: mistyped
        elif kind == 7:
            number = f"Z-{index}"  # nobody's
        elif kind == 8:
            product = "Sunny Boy 5.0"  # outside the campaign
        elif kind == 9 and index % 1000 == 9:
            added = "someday"  # type: ignore[assignment]  # a broken row
        else:
            transfer += 1
        devices.append(Device(serial, product if product in campaign.products else "SB-5.0",
                              date(2025, 6, 1)))
        day = added.isoformat() if isinstance(added, date) else added
        lines.append(f"user{company}@installer.example;{number};{ENTERED.isoformat()};"
                     f"Plant {index // 20};{serial};{product};{day};{day}")
    return ("\n".join(lines) + "\n").encode(), devices, transfer


def main() -> None:
    parser = arguments(__doc__ or NAME)
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    campaign = load_campaign()
    campaigns = {campaign.code: campaign}
    data, devices, expected = build(campaign, args.rows)
    with stopping(), fresh_engine(args.backend, args.pg_url) as engine:
        log(f"{NAME}/{args.backend}: {COMPANIES} companies, {len(devices):,} devices")
        enrol(engine, campaign, [customer_number(i) for i in range(COMPANIES)], devices, NOW)
        gc.collect()
        log(f"{NAME}/{args.backend}: import of {args.rows:,} rows")
        started, cpu = perf_counter(), process_time()
        with UnitOfWork(engine) as uow:
            report = import_portal_export(uow, campaigns=campaigns, data=data,
                                          filename="export.csv", actor="benchmark", now=NOW)
        seconds, cpu_seconds = perf_counter() - started, process_time() - cpu
        started = perf_counter()
        with UnitOfWork(engine) as uow:
            again = import_portal_export(uow, campaigns=campaigns, data=data,
                                         filename="export.csv", actor="benchmark", now=NOW)
        again_seconds = perf_counter() - started
        if not again.duplicate:
            raise SystemExit("the re-import was not recognised")
        with engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(Registration)).scalar()
            handled = connection.execute(select(func.count()).select_from(PortalDevice)).scalar()
        if report.totals.get("transferred") != expected or stored != expected:
            raise SystemExit(f"expected {expected} transferred, got "
                             f"{report.totals.get('transferred')} ({stored} stored)")
        rate = args.rows / seconds
        log(f"{NAME}/{args.backend}: {args.rows:,} rows in {seconds:.2f} s ({rate:,.0f} rows/s), "
            f"{stored:,} registrations, {handled:,} devices recorded, "
            f"{len(report.problems):,} problems; re-import {again_seconds:.2f} s; "
            f"{cpu_seconds:.2f} s CPU in this process")
        emit(NAME, args.backend, {
            "rows": args.rows,
            "rows_per_s": round(rate, 1),
            "import_s": round(seconds, 3),
            "cpu_rows_per_s": round(args.rows / cpu_seconds, 1),
            "reimport_s": round(again_seconds, 3),
            "transferred": int(stored or 0),
            "problems": len(report.problems),
            "file_kb": round(len(data) / 1024, 1),
            "target_rows_per_s": TARGET_ROWS_PER_S,
            "server": server_version(engine),
        })


if __name__ == "__main__":
    main()
