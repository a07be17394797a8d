"""What every benchmark needs: a throw-away database, the campaign, statistics, the result line.

A benchmark is one process that measures once and prints one result line (``RESULT_PREFIX``
followed by JSON) on stdout; ``benchmarks/run`` starts it several times and takes medians.
Human-readable progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType

from sqlalchemy import Engine, text

from core.campaign import Campaign, parse_campaign_toml
from core.masterdata import Device
from storage.db import make_engine
from storage.migrate import upgrade
from storage.services.companies import CompanyRecord, import_companies, import_masterdata
from storage.uow import UnitOfWork

REPO = Path(__file__).resolve().parents[1]
LOCAL_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RESULT_PREFIX = "BENCHMARK-RESULT "
BACKENDS = ("sqlite", "postgresql")
# Where populated SQLite files may be kept between runs (never inside the repository).
CACHE_DIR = Path(tempfile.gettempdir()) / "cashback-benchmarks"

Metric = float | int | str | bool


def default_pg_url() -> str:
    """TEST_DATABASE_URL when set, else the local server of the development machine."""
    return os.environ.get("TEST_DATABASE_URL") or LOCAL_PG_URL


def load_campaign(code: str = "fr-2026") -> Campaign:
    """A shipped campaign file, parsed the way the application parses it."""
    path = REPO / "campaigns" / f"{code}.toml"
    return parse_campaign_toml(path.read_text(encoding="utf-8"), str(path))


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every benchmark takes: which backend, which PostgreSQL server."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    parser.add_argument("--pg-url", default=default_pg_url(),
                        help="PostgreSQL server (default: TEST_DATABASE_URL or %(default)s); "
                             "the benchmark works in a schema of its own and drops it")
    return parser


def log(message: str) -> None:
    """Progress for the person watching; stdout is kept for the result line."""
    print(message, file=sys.stderr, flush=True)


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def stopping_cleanly() -> Iterator[None]:
    """Turn SIGTERM into SystemExit so ``finally`` blocks drop the benchmark's schema."""
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def sqlite_engine(path: Path) -> Iterator[Engine]:
    """An engine on a SQLite file, made like the application makes it, migrated."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_engine(base_url: str) -> Iterator[Engine]:
    """An engine whose connections see only a fresh schema, migrated; dropped afterwards.

    Nothing is left in the shared database, even when the benchmark fails half-way.
    """
    schema = f"bench_{secrets.token_hex(6)}"
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            engine = make_engine(base_url, connect_args={"options": f"-csearch_path={schema}"})
            try:
                upgrade(engine)
                yield engine
            finally:
                engine.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def fresh_engine(backend: str, pg_url: str) -> Iterator[Engine]:
    """A new, migrated, empty database of ``backend``, gone when the block ends."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="cashback-bench-") as folder, \
                sqlite_engine(Path(folder) / "cashback.sqlite3") as engine:
            yield engine
    else:
        with postgres_engine(pg_url) as engine:
            yield engine


def server_version(engine: Engine) -> str:
    """The database's own version string, for the record."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return "SQLite " + str(connection.execute(text("select sqlite_version()")).scalar())
        return str(connection.execute(text("show server_version")).scalar())


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics of this database's (or schema's) tables only.

    What autovacuum does on a production PostgreSQL server after bulk changes; the shared test
    server runs with autovacuum off, so the benchmarks do it where production would have.
    """
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("ANALYZE"))
            return
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
        connection.execute(text("ANALYZE " + ", ".join(f'"{table}"' for table in tables)))


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0.95 for p95), interpolated between the nearest values."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    """The middle value."""
    return statistics.median(values)


def emit(benchmark: str, backend: str, metrics: dict[str, Metric]) -> None:
    """The result line ``benchmarks/run`` reads."""
    print(RESULT_PREFIX + json.dumps({"benchmark": benchmark, "backend": backend,
                                      "metrics": metrics}), flush=True)


def enrol(engine: Engine, campaign: Campaign, customer_numbers: Sequence[str],
          known: Sequence[Device], now: datetime) -> None:
    """The benchmark's companies, enrolled in ``campaign``, and its master data."""
    with UnitOfWork(engine) as uow:
        import_companies(uow, now=now, records=[
            CompanyRecord(number, f"Installer {i}", campaign.code, "fr",
                          (f"office{i}@installer.example",))
            for i, number in enumerate(customer_numbers)])
    with UnitOfWork(engine) as uow:
        import_masterdata(uow, devices=list(known))
