"""Registering 100,000 devices through the service layer, 1,000 claims per call.

This is what bulk template uploads do: each upload is one ``register_many`` call in its own
unit of work (judging every claim against the campaign, the master data and the existing
registrations, then storing registrations, status events, information requests for the audit
sample, rejected claims and the outbox digest in one transaction).

Setup, not timed: a fresh migrated database (SQLite file in a temporary folder, or a schema of
its own on PostgreSQL), 100 enrolled companies, the master data with every device, and a first
upload of 1,000 other devices (so the timed part starts from a database in use, not from
empty tables). No ANALYZE: the application never runs one, so the planner has the statistics
of a new database (on PostgreSQL, none until autovacuum's first pass; the shared test server
runs with autovacuum off). ``--analyze`` runs ANALYZE after the first upload instead.
Timed: 100 ``register_many`` calls of 1,000 claims, one after the other, for the 100 companies
in turn. Result: devices/s.

    python -m benchmarks.bench_register --backend sqlite|postgresql [--pg-url URL] [--analyze]
"""

from __future__ import annotations

import cProfile
from datetime import UTC, date, datetime, timedelta
from time import perf_counter

from sqlalchemy import Engine, func
from sqlmodel import select

from benchmarks.support import (
    analyze,
    arguments,
    emit,
    enrol,
    fresh_engine,
    load_campaign,
    log,
    median,
    percentile,
    server_version,
    stopping_cleanly,
)
from core.campaign import Campaign
from core.masterdata import Device
from core.statuses import Channel, Status
from storage.masterdata import chunked
from storage.services.registrations import ClaimInput, ClaimOutcome, register_many
from storage.tables import Registration
from storage.uow import UnitOfWork

NAME = "register"
TARGET_DEVICES_PER_SECOND = 2_000
DEVICES = 100_000
BATCH = 1_000
COMPANIES = 100
# A fixed moment inside fr-2026's registration period, so every run judges the same claims.
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FIRST_SERIAL = 3_000_000_000
PRODUCED_ON = date(2025, 6, 1)


def devices(campaign: Campaign, count: int) -> list[Device]:
    """The master data: ten-digit serials, the campaign's products in turn."""
    codes = sorted(campaign.products)
    return [Device(str(FIRST_SERIAL + i), codes[i % len(codes)], PRODUCED_ON)
            for i in range(count)]


def claims(campaign: Campaign, known: list[Device]) -> list[ClaimInput]:
    """One claim per device, installed on days spread over the campaign so far."""
    first = campaign.first_installation_day
    span = (NOW.date() - first).days
    return [ClaimInput(d.serial, d.product_code, first + timedelta(days=i % span))
            for i, d in enumerate(known)]


def customer_number(index: int) -> str:
    """The enrolled companies are C-00000, C-00001, ..."""
    return f"C-{index:05d}"


def register(engine: Engine, campaign: Campaign, upload: list[ClaimInput],
             company: int) -> list[ClaimOutcome]:
    """One template upload: one register_many call in its own unit of work."""
    with UnitOfWork(engine) as uow:
        return register_many(uow, campaign=campaign, customer_number=customer_number(company),
                             claims=upload, channel=Channel.TEMPLATE, actor="benchmark",
                             now=NOW)


def main() -> None:
    parser = arguments(__doc__ or NAME)
    parser.add_argument("--devices", type=int, default=DEVICES)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--analyze", action="store_true",
                        help="ANALYZE after the first upload, before timing")
    parser.add_argument("--profile", metavar="FILE",
                        help="write a cProfile of the timed part to FILE (pstats format)")
    args = parser.parse_args()
    campaign = load_campaign()
    with stopping_cleanly(), fresh_engine(args.backend, args.pg_url) as engine:
        log(f"{NAME}/{args.backend}: loading {args.devices + args.batch:,} devices of "
            "master data")
        known = devices(campaign, args.batch + args.devices)
        enrol(engine, campaign, [customer_number(i) for i in range(COMPANIES)], known, NOW)
        first, *uploads = chunked(claims(campaign, known), args.batch)
        register(engine, campaign, first, COMPANIES - 1)
        if args.analyze:
            analyze(engine)

        log(f"{NAME}/{args.backend}: registering in {len(uploads)} calls of {args.batch:,}")
        profiler = cProfile.Profile() if args.profile else None
        accepted = info_required = 0
        call_seconds: list[float] = []
        started = perf_counter()
        if profiler:
            profiler.enable()
        for index, upload in enumerate(uploads):
            call_started = perf_counter()
            outcomes = register(engine, campaign, upload, index % COMPANIES)
            call_seconds.append(perf_counter() - call_started)
            for outcome in outcomes:
                if outcome.verdict is not None and outcome.verdict.eligible:
                    accepted += 1
                    info_required += outcome.verdict.status is Status.INFO_REQUIRED
        if profiler:
            profiler.disable()
        elapsed = perf_counter() - started
        if profiler and args.profile:
            profiler.dump_stats(args.profile)

        with engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(Registration)).scalar()
        if accepted != args.devices or stored != args.batch + args.devices:
            raise SystemExit(f"expected {args.devices} registrations, "
                             f"accepted {accepted}, stored {stored}")
        rate = args.devices / elapsed
        log(f"{NAME}/{args.backend}: {rate:,.0f} devices/s ({elapsed:.2f} s; "
            f"{info_required:,} asked for proof by the audit draw)")
        emit(NAME, args.backend, {
            "devices_per_s": round(rate, 1),
            "seconds": round(elapsed, 3),
            "devices": args.devices,
            "batch": args.batch,
            "call_ms_median": round(median(call_seconds) * 1000, 1),
            "call_ms_p95": round(percentile(call_seconds, 0.95) * 1000, 1),
            "info_required": info_required,
            "analyzed": args.analyze,
            "target_devices_per_s": TARGET_DEVICES_PER_SECOND,
            "server": server_version(engine),
        })


if __name__ == "__main__":
    main()
