"""Importing a filled-in template end to end: read, validate, store, write the result workbook.

Workbooks written by openpyxl in write-only mode, as a spreadsheet would save them: serials
as numbers, product names, installation dates as real date cells, every serial in the master
data. Each 10,000-row one goes through ``import_template`` and then ``build_result_workbook``
in this process; the anchor, in the same run, is how long openpyxl takes merely to open that
file in read-only mode and iterate its rows. A run measures :data:`PAIRS` such pairs, anchor
then import, each import a different company's file of different serials, and reports the
median of each (on a shared two-core machine a single pair's ratio moved by a third from one
run to the next). The 100,000-row one is imported the same way in a child process that does
nothing else, whose resident set high-water mark (``ru_maxrss``) is the peak memory figure.
"""

from __future__ import annotations

import gc
import gettext
import io
import json
import resource
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import perf_counter

import openpyxl
from sqlalchemy import Engine, func, select

from benchmarks.support import (
    REPO,
    arguments,
    emit,
    enrol,
    fresh_engine,
    load_campaign,
    log,
    median,
    server_version,
    stopping_cleanly,
)
from core.campaign import Campaign
from core.masterdata import Device
from core.statuses import Channel
from core.template import Limits, build_result_workbook
from storage.db import make_engine
from storage.services.imports import import_template
from storage.tables import Registration
from storage.uow import UnitOfWork

NAME = "import"
SMALL = 10_000
LARGE = 100_000
WARM_UP = 200
PAIRS = 3
TARGET_RATIO = 1.0
TARGET_PEAK_MB = 300
# A fixed moment inside fr-2026's registration period, so every run judges the same claims.
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FIRST_SERIAL = 4_000_000_000
PRODUCED_ON = date(2025, 6, 1)
HEADER = ("Numéro de série", "Produit", "Date d'installation",
          "Code postal d'installation (facultatif)", "Remarque (facultatif)")
CHILD_PREFIX = "CHILD-RESULT "


def customer_number(index: int) -> str:
    """C-00000 imports 100,000 rows, C-00001 the warm-up, C-00002 onwards 10,000 rows each."""
    return f"C-{index:05d}"


def devices(campaign: Campaign, first: int, count: int) -> list[Device]:
    """Master data for serials ``first`` .. ``first + count - 1``, the products in turn."""
    codes = sorted(campaign.products)
    return [Device(str(first + i), codes[i % len(codes)], PRODUCED_ON) for i in range(count)]


def write_template(path: Path, campaign: Campaign, known: list[Device]) -> None:
    """The devices as an installer's filled-in workbook (write-only openpyxl, one sheet)."""
    first_day = campaign.first_installation_day
    span = (NOW.date() - first_day).days
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Appareils")
    sheet.append(list(HEADER))
    for index, device in enumerate(known):
        product = campaign.products[device.product_code]
        sheet.append([int(device.serial), product.name("fr"),
                      first_day + timedelta(days=index % span),
                      f"{75001 + index % 900:05d}", "chantier" if index % 7 == 0 else None])
    workbook.save(path)


def anchor_seconds(data: bytes) -> float:
    """openpyxl alone: open read-only and iterate every row's values."""
    started = perf_counter()
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = 0
    for sheet in workbook.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            rows += 1
    workbook.close()
    return perf_counter() - started


def import_once(engine: Engine, campaign: Campaign, data: bytes, company: int,
                limits: Limits) -> tuple[float, int]:
    """The whole import of one file; (seconds, accepted rows)."""
    started = perf_counter()
    with UnitOfWork(engine) as uow:
        report = import_template(uow, campaign=campaign, customer_number=customer_number(company),
                                 data=data, filename="appareils.xlsx", channel=Channel.TEMPLATE,
                                 actor="benchmark", now=NOW, limits=limits)
    assert report.read is not None
    result = build_result_workbook(report.read, report.results, campaign, "fr",
                                   gettext.NullTranslations())
    elapsed = perf_counter() - started
    assert result
    return elapsed, report.counts.get("accepted", 0) + report.counts.get("proof", 0)


def child(url: str, schema: str, path: Path) -> None:
    """The 100,000-row import alone, in a process of its own; prints seconds and peak RSS."""
    args = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
    engine = make_engine(url, **args)
    campaign = load_campaign()
    data = path.read_bytes()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds, accepted = import_once(engine, campaign, data, 0, Limits(max_rows=LARGE))
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(CHILD_PREFIX + json.dumps({"seconds": seconds, "accepted": accepted,
                                     "baseline_kb": baseline, "peak_kb": peak}), flush=True)


def large_import(engine: Engine, path: Path) -> dict[str, float]:
    """Run :func:`child` and read its figures; ru_maxrss is also read from RUSAGE_CHILDREN."""
    url = engine.url.render_as_string(hide_password=False)
    schema = ""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = str(connection.exec_driver_sql("select current_schema()").scalar())
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_import", "--child", url,
                           schema, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True,
                          check=True)
    children_peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    line = next(x for x in done.stdout.splitlines() if x.startswith(CHILD_PREFIX))
    figures: dict[str, float] = json.loads(line.removeprefix(CHILD_PREFIX))
    figures["children_peak_kb"] = children_peak_kb
    return figures


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], Path(sys.argv[4]))
        return
    parser = arguments(__doc__ or NAME)
    parser.add_argument("--small", type=int, default=SMALL)
    parser.add_argument("--large", type=int, default=LARGE)
    args = parser.parse_args()
    campaign = load_campaign()
    with stopping_cleanly(), fresh_engine(args.backend, args.pg_url) as engine, \
            tempfile.TemporaryDirectory(prefix="cashback-bench-import-") as folder:
        large_devices = devices(campaign, FIRST_SERIAL, args.large)
        warm_devices = devices(campaign, FIRST_SERIAL + args.large, WARM_UP)
        small_devices = [devices(campaign, FIRST_SERIAL + args.large + WARM_UP + n * args.small,
                                 args.small) for n in range(PAIRS)]
        every_device = [*large_devices, *warm_devices,
                        *(device for pair in small_devices for device in pair)]
        log(f"{NAME}/{args.backend}: master data ({len(every_device):,} devices), companies, "
            "workbooks")
        enrol(engine, campaign, [customer_number(i) for i in range(2 + PAIRS)], every_device,
              NOW)
        large_path, warm_path = Path(folder) / "large.xlsx", Path(folder) / "warm.xlsx"
        write_template(large_path, campaign, large_devices)
        write_template(warm_path, campaign, warm_devices)
        smalls = []
        for n, known in enumerate(small_devices):
            path = Path(folder) / f"small-{n}.xlsx"
            write_template(path, campaign, known)
            smalls.append(path.read_bytes())
        del every_device, small_devices, large_devices

        # Warm both paths up (imports, caches), as in a bot that has been running a while.
        anchor_seconds(warm_path.read_bytes())
        import_once(engine, campaign, warm_path.read_bytes(), 1, Limits())
        gc.collect()

        anchors, imports = [], []
        for n, small in enumerate(smalls):
            log(f"{NAME}/{args.backend}: pair {n + 1} of {PAIRS}: openpyxl read-only read, "
                f"then import, of {args.small:,} rows")
            anchors.append(anchor_seconds(small))
            gc.collect()
            seconds, accepted = import_once(engine, campaign, small, 2 + n, Limits())
            gc.collect()
            if accepted != args.small:
                raise SystemExit(f"expected {args.small} rows accepted, got {accepted}")
            imports.append(seconds)
        anchor, seconds = median(anchors), median(imports)

        log(f"{NAME}/{args.backend}: import of {args.large:,} rows in a child process")
        large = large_import(engine, large_path)
        if large["accepted"] != args.large:
            raise SystemExit(f"expected {args.large} rows accepted, got {large['accepted']}")
        with engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(Registration)).scalar()
        if stored != PAIRS * args.small + args.large + WARM_UP:
            raise SystemExit(f"{stored} registrations stored")

        peak_mb = large["peak_kb"] / 1024
        log(f"{NAME}/{args.backend}: {args.small:,} rows in {seconds:.2f} s, openpyxl read "
            f"{anchor:.2f} s (ratio {seconds / anchor:.2f}; medians of {PAIRS} pairs: "
            f"{' / '.join(f'{i:.2f}' for i in imports)} s and "
            f"{' / '.join(f'{a:.2f}' for a in anchors)} s); {args.large:,} rows in "
            f"{large['seconds']:.2f} s, peak RSS {peak_mb:.0f} MB")
        emit(NAME, args.backend, {
            "small_rows": args.small,
            "import_s": round(seconds, 3),
            "anchor_s": round(anchor, 3),
            "ratio": round(seconds / anchor, 3),
            "large_rows": args.large,
            "large_import_s": round(large["seconds"], 3),
            "large_peak_mb": round(peak_mb, 1),
            "large_baseline_mb": round(large["baseline_kb"] / 1024, 1),
            "children_peak_mb": round(large["children_peak_kb"] / 1024, 1),
            "pairs": PAIRS,
            "small_file_kb": round(len(smalls[0]) / 1024, 1),
            "large_file_kb": round(large_path.stat().st_size / 1024, 1),
            "target_ratio": TARGET_RATIO,
            "target_peak_mb": TARGET_PEAK_MB,
            "server": server_version(engine),
        })


if __name__ == "__main__":
    main()
