"""A Prometheus scrape of /metrics while the outbox has a large backlog.

Setup, not timed: one company, 500,000 delivered outbox rows (history) and 50,000 unsent
ones (an SMTP server down for days: 49,000 pending, 1,000 dead), bulk-inserted, then ANALYZE.

Timed: 100 GET /metrics over HTTP on loopback after 5 warm-up ones (each computes the outbox
depth and oldest age with one grouped query), and 100 GET /healthz. Result: median and p95
milliseconds per scrape, median per health check.

    python -m benchmarks.bench_scrape --backend sqlite|postgresql [--pg-url URL]
"""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import col

from benchmarks.support import (
    analyze,
    arguments,
    emit,
    fresh_engine,
    log,
    median,
    percentile,
    server_version,
    stopping_cleanly,
)
from bot.observability.server import ObservabilityServer
from storage.tables import Company, OutboxMessage

NAME = "scrape"
SENT = 500_000
PENDING = 49_000
DEAD = 1_000
SCRAPES = 100
WARM_UP = 5
BATCH = 10_000
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def populate(engine: Engine) -> None:
    """The company and the outbox rows, in batches of bulk inserts."""
    with engine.begin() as connection:
        company_id = connection.execute(insert(Company).values(
            customer_number="100001", name="Solaire", campaign_code="fr-2026", language="fr",
            enrolled=True, created_at=NOW).returning(col(Company.id))).scalar_one()
    states = [("sent", SENT), ("pending", PENDING), ("dead", DEAD)]
    for state, count in states:
        for start in range(0, count, BATCH):
            rows: list[dict[str, Any]] = []
            for number in range(start, min(count, start + BATCH)):
                at = NOW - timedelta(minutes=number)
                rows.append({"kind": "email" if number % 2 else "chat",
                             "company_id": company_id, "topic": "status_changed",
                             "payload": "{}", "created_at": at, "state": state,
                             "attempts": 1, "next_attempt_at": at})
            with engine.begin() as connection:
                connection.execute(insert(OutboxMessage), rows)
        log(f"{count} {state} rows")
    analyze(engine)


def timed_get(url: str) -> float:
    started = perf_counter()
    with urllib.request.urlopen(url) as answer:  # noqa: S310 - loopback
        answer.read()
    return (perf_counter() - started) * 1000


def main() -> None:
    args = arguments(__doc__ or NAME).parse_args()
    with stopping_cleanly(), fresh_engine(args.backend, args.pg_url) as engine:
        populate(engine)
        server = ObservabilityServer(engine, lambda: NOW, listen="127.0.0.1", port=0)
        server.start()
        try:
            base = f"http://127.0.0.1:{server.port}"
            for _ in range(WARM_UP):
                timed_get(f"{base}/metrics")
            scrapes = [timed_get(f"{base}/metrics") for _ in range(SCRAPES)]
            health = [timed_get(f"{base}/healthz") for _ in range(SCRAPES)]
        finally:
            server.stop()
        emit(NAME, args.backend, {"scrape_ms_median": median(scrapes),
                                  "scrape_ms_p95": percentile(scrapes, 0.95),
                                  "healthz_ms_median": median(health),
                                  "server": server_version(engine)})


if __name__ == "__main__":
    main()
