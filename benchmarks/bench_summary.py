"""A company's status summary among 10,000 companies and 1,000,000 registrations.

Setup, not timed: 10,000 enrolled companies and 1,000,000 registrations spread over the
statuses (60 % pending payment, 20 % paid, 8 % information required, 4 % under review, 8 %
ineligible), written straight into the tables with bulk Core inserts (executemany on SQLite,
COPY on PostgreSQL), then ANALYZE. Each registration belongs to a company drawn at random,
so a company has about 100 registrations scattered over the whole table, as when uploads
arrive interleaved over months; one extra "large installer" has 10,000 of them (timed
separately, for information). The populated SQLite file is kept in the temporary folder and
reused by later runs (``--rebuild`` makes it again); PostgreSQL is populated in a schema of
its own on every run and the schema dropped.

Timed: ``company_summary`` for 200 different companies, each call in its own unit of work as
the status command makes it (session, transaction, query, close), after 20 warm-up calls on
other companies. Result: median and p95 milliseconds per call.

    python -m benchmarks.bench_summary --backend sqlite|postgresql [--pg-url URL] [--rebuild]
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, Table, text

from benchmarks.support import (
    CACHE_DIR,
    REPO,
    arguments,
    emit,
    load_campaign,
    log,
    median,
    percentile,
    postgres_engine,
    server_version,
    sqlite_engine,
    stopping_cleanly,
)
from core.campaign import Campaign
from core.statuses import Status
from storage.services.queries import company_summary
from storage.tables import Company, Registration
from storage.uow import UnitOfWork

NAME = "summary"
TARGET_MS = 10.0
COMPANIES = 10_000
REGISTRATIONS = 1_000_000
LARGE_COMPANY_REGISTRATIONS = 10_000
CALLS = 200
WARM_UP = 20
SEED = 2026
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FIRST_SERIAL = 3_000_000_000
STATUS_SHARES = (
    (Status.PENDING_PAYMENT, 60),
    (Status.PAID, 20),
    (Status.INFO_REQUIRED, 8),
    (Status.UNDER_REVIEW, 4),
    (Status.INELIGIBLE, 8),
)
# Bump when the generated data changes, so cached SQLite files are made again.
DATASET_VERSION = 1

COMPANY_TABLE: Table = Company.__table__  # type: ignore[attr-defined]
REGISTRATION_TABLE: Table = Registration.__table__  # type: ignore[attr-defined]
COMPANY_COLUMNS = ("id", "customer_number", "name", "campaign_code", "language", "enrolled",
                   "created_at")
REGISTRATION_COLUMNS = ("id", "campaign_code", "serial", "company_id", "product_code",
                        "installed_on", "registered_at", "channel", "status", "reason",
                        "amount_cents", "payment_reference", "paid_on", "updated_at")
LARGE_COMPANY_ID = 1
Row = tuple[Any, ...]


def company_rows(campaign: Campaign, encode: Callable[[str, Any], Any]) -> Iterator[Row]:
    """The companies, ids 1..COMPANIES; company 1 is the large installer."""
    created = encode("created_at", NOW - timedelta(days=300))
    enrolled = encode("enrolled", True)
    for company_id in range(1, COMPANIES + 1):
        yield (company_id, f"C-{company_id:05d}", f"Installer {company_id}", campaign.code,
               "fr", enrolled, created)


def registration_rows(campaign: Campaign, encode: Callable[[str, Any], Any]) -> Iterator[Row]:
    """The registrations, in the order they arrived; deterministic for a given SEED."""
    rng = random.Random(SEED)
    products = [(p.code, int(p.amount * 100)) for p in campaign.products.values()]
    statuses = [status.value for status, share in STATUS_SHARES for _ in range(share)]
    first = campaign.first_installation_day
    days = [encode("installed_on", first + timedelta(days=d))
            for d in range((NOW.date() - first).days)]
    registered = encode("registered_at", NOW - timedelta(days=30))
    updated = encode("updated_at", NOW - timedelta(days=1))
    paid_on = encode("paid_on", date(2026, 11, 1))
    large_every = REGISTRATIONS // LARGE_COMPANY_REGISTRATIONS
    for index in range(REGISTRATIONS):
        registration_id = index + 1
        if index % large_every == 0:
            company_id = LARGE_COMPANY_ID
        else:
            company_id = rng.randint(2, COMPANIES)
        product, cents = products[rng.randrange(len(products))]
        status = statuses[rng.randrange(len(statuses))]
        paid = status == Status.PAID.value
        yield (registration_id, campaign.code, str(FIRST_SERIAL + index), company_id, product,
               days[rng.randrange(len(days))], registered, "template", status,
               "documents_not_received" if status == Status.INELIGIBLE.value else None,
               cents, f"PAY-{registration_id}" if paid else None, paid_on if paid else None,
               updated)


def sqlite_encoder(engine: Engine) -> Callable[[str, Any], Any]:
    """Values as SQLAlchemy would bind them (dates as text, booleans as 0/1) for raw inserts."""
    processors = {column.name: column.type.bind_processor(engine.dialect)
                  for table in (COMPANY_TABLE, REGISTRATION_TABLE) for column in table.columns}

    def encode(column: str, value: Any) -> Any:
        processor = processors[column]
        return processor(value) if processor else value
    return encode


def populate_sqlite(engine: Engine, campaign: Campaign) -> None:
    """executemany on the driver connection, in one transaction."""
    encode = sqlite_encoder(engine)
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        cursor = connection.cursor()
        # make_engine puts the driver in autocommit mode: open the transaction ourselves.
        cursor.execute("BEGIN")
        for table, columns, rows in (
                ("company", COMPANY_COLUMNS, company_rows(campaign, encode)),
                ("registration", REGISTRATION_COLUMNS, registration_rows(campaign, encode))):
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def populate_postgres(engine: Engine, campaign: Campaign) -> None:
    """COPY on the driver connection, in one transaction, then ANALYZE."""
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        with connection.cursor() as cursor:
            for table, columns, rows in (
                    ("company", COMPANY_COLUMNS, company_rows(campaign, _same)),
                    ("registration", REGISTRATION_COLUMNS, registration_rows(campaign, _same))):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            # The ids were given explicitly: move the sequences past them.
            for table in ("company", "registration"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
        connection.commit()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE company")
            cursor.execute("ANALYZE registration")
            cursor.execute("VACUUM registration")
        connection.autocommit = False
    finally:
        raw.close()


def _same(_column: str, value: Any) -> Any:
    return value


def cache_key() -> str:
    """Changes whenever the data or the schema (any migration) changes."""
    digest = hashlib.sha256(f"{DATASET_VERSION}:{COMPANIES}:{REGISTRATIONS}:"
                            f"{LARGE_COMPANY_REGISTRATIONS}:{SEED}".encode())
    digest.update((REPO / "campaigns" / "fr-2026.toml").read_bytes())
    for migration in sorted((REPO / "storage" / "migrations" / "versions").glob("*.py")):
        digest.update(migration.name.encode())
        digest.update(migration.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def populated_sqlite(campaign: Campaign, rebuild: bool) -> Iterator[tuple[Engine, bool, float]]:
    """(engine, reused from cache, seconds spent populating) on the cached SQLite file."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"summary-{cache_key()}.sqlite3"
    for outdated in CACHE_DIR.glob("summary-*.sqlite3"):
        if outdated != path:  # made for another schema or data set: never used again
            outdated.unlink()
    reused = path.exists() and not rebuild
    seconds = 0.0
    if not reused:
        log(f"{NAME}/sqlite: populating {path} (kept for later runs)")
        building = path.with_name(f"{path.stem}.{os.getpid()}.building")
        started = perf_counter()
        try:
            with sqlite_engine(building) as engine:
                populate_sqlite(engine, campaign)
            # Readers never see a half-made file: it gets its name only when complete.
            shutil.move(building, path)
        finally:
            for leftover in building.parent.glob(f"{building.name}*"):
                leftover.unlink()
        seconds = perf_counter() - started
    else:
        log(f"{NAME}/sqlite: reusing {path}")
    with sqlite_engine(path) as engine:
        yield engine, reused, seconds


@contextmanager
def populated_postgres(campaign: Campaign, pg_url: str) -> Iterator[tuple[Engine, bool, float]]:
    """(engine, False, seconds spent populating) on a fresh schema, dropped afterwards."""
    with postgres_engine(pg_url) as engine:
        log(f"{NAME}/postgresql: populating a schema of its own")
        started = perf_counter()
        populate_postgres(engine, campaign)
        yield engine, False, perf_counter() - started


def time_calls(engine: Engine, company_ids: Sequence[int]) -> tuple[list[float], int]:
    """Seconds per call, each in its own unit of work; and the registrations counted."""
    seconds: list[float] = []
    counted = 0
    for company_id in company_ids:
        started = perf_counter()
        with UnitOfWork(engine) as uow:
            summary = company_summary(uow.session, company_id)
        seconds.append(perf_counter() - started)
        counted += summary.count
    return seconds, counted


def main() -> None:
    parser = arguments(__doc__ or NAME)
    parser.add_argument("--rebuild", action="store_true",
                        help="make the cached SQLite file again")
    args = parser.parse_args()
    campaign = load_campaign()
    populated = (populated_sqlite(campaign, args.rebuild) if args.backend == "sqlite"
                 else populated_postgres(campaign, args.pg_url))
    with stopping_cleanly(), populated as (engine, reused, populate_seconds):
        with engine.connect() as connection:
            total = connection.execute(text("SELECT count(*) FROM registration")).scalar()
        if total != REGISTRATIONS:
            raise SystemExit(f"expected {REGISTRATIONS} registrations, found {total}")
        picked = random.Random(SEED + 1).sample(range(2, COMPANIES + 1), WARM_UP + CALLS)
        time_calls(engine, picked[:WARM_UP])
        seconds, counted = time_calls(engine, picked[WARM_UP:])
        large, _ = time_calls(engine, [LARGE_COMPANY_ID] * 21)
        ms = [s * 1000 for s in seconds]
        log(f"{NAME}/{args.backend}: median {median(ms):.2f} ms, p95 "
            f"{percentile(ms, 0.95):.2f} ms per call over {CALLS} companies "
            f"({counted / CALLS:.0f} registrations each on average); large installer "
            f"({LARGE_COMPANY_REGISTRATIONS:,}): {median(large) * 1000:.2f} ms")
        emit(NAME, args.backend, {
            "ms_median": round(median(ms), 3),
            "ms_p95": round(percentile(ms, 0.95), 3),
            "ms_max": round(max(ms), 3),
            "calls": CALLS,
            "registrations_per_company": round(counted / CALLS, 1),
            "large_company_ms_median": round(median(large) * 1000, 3),
            "large_company_registrations": LARGE_COMPANY_REGISTRATIONS,
            "registrations": REGISTRATIONS,
            "companies": COMPANIES,
            "populated_from_cache": reused,
            "populate_s": round(populate_seconds, 1),
            "target_ms": TARGET_MS,
            "server": server_version(engine),
        })


if __name__ == "__main__":
    main()
