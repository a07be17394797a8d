"""Run every benchmark several times and print the median figures as a markdown table.

Started by ``benchmarks/run``; each run is a fresh process, so no run inherits another's
caches or connections. PostgreSQL is measured when its server answers (``--pg-url``, else
TEST_DATABASE_URL, else the local server) and skipped with a note otherwise, or on ``--no-pg``.
The exit status is 1 when a figure misses its target, 2 when a benchmark fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from benchmarks.support import REPO, RESULT_PREFIX, default_pg_url, median
from storage.db import make_engine

BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Figure:
    """One number a benchmark reports, and the target it must meet (if any)."""

    metric: str
    label: str
    unit: str
    target: float | None = None
    higher_is_better: bool = True

    def verdict(self, value: float) -> str:
        """PASS/FAIL against the target, "info" for figures without one."""
        if self.target is None:
            return "info"
        ok = value >= self.target if self.higher_is_better else value <= self.target
        return "PASS" if ok else "FAIL"

    def target_text(self) -> str:
        """The target as the table shows it."""
        if self.target is None:
            return "-"
        return f"{'≥' if self.higher_is_better else '≤'} {_number(self.target)} {self.unit}"


@dataclass(frozen=True)
class Benchmark:
    """A benchmark module, how often to run it, and the figures to report."""

    name: str
    module: str
    title: str
    runs: int
    figures: tuple[Figure, ...]
    options: tuple[str, ...] = ()
    backends: tuple[str, ...] = ("sqlite", "postgresql")
    database: bool = True  # False: the table shows no backend


BENCHMARKS = (
    Benchmark("register", "benchmarks.bench_register",
              "register 100,000 devices, 1,000 per register_many call", 3, (
                  Figure("devices_per_s", "throughput", "devices/s", 2000),
                  Figure("call_ms_median", "one 1,000-claim call, median", "ms"),
              )),
    Benchmark("summary", "benchmarks.bench_summary",
              "company_summary, 1 of 10,000 companies, 1,000,000 registrations", 5, (
                  Figure("ms_median", "per call, median of 200 companies", "ms", 10, False),
                  Figure("ms_p95", "per call, p95 of 200 companies", "ms", 10, False),
                  Figure("large_company_ms_median", "large installer (10,000 registrations)",
                         "ms"),
              )),
    Benchmark("replies", "benchmarks.bench_replies",
              "500 e-mail replies with a 200 KB PDF each, IMAP (pymap) to database", 3, (
                  Figure("replies_per_s", "throughput", "replies/s", 50),
                  Figure("ms_per_reply", "per reply", "ms"),
              )),
    Benchmark("chat", "benchmarks.bench_chat",
              "chat updates through the local Bot API server and python-telegram-bot, "
              "50 users, two bot processes behind the webhook", 3, (
                  Figure("status_updates_per_s", "/status (1,000 registrations)", "updates/s",
                         300),
                  Figure("status_p50_ms", "/status, p50", "ms"),
                  Figure("status_p99_ms", "/status, p99", "ms"),
                  Figure("register_updates_per_s", "one-line registration", "updates/s"),
                  Figure("register_p50_ms", "registration, p50", "ms"),
                  Figure("register_p99_ms", "registration, p99", "ms"),
                  Figure("status_bot_cpu_ms", "/status: bots' CPU per update", "ms",
                         higher_is_better=False),
                  Figure("status_server_cpu_ms",
                         "/status: Bot API server and users' CPU per update", "ms",
                         higher_is_better=False),
                  Figure("status_database_cpu_ms",
                         "/status: PostgreSQL server's CPU per update", "ms",
                         higher_is_better=False),
                  Figure("status_capacity_per_s", "/status: CPUs / whole stack's CPU per "
                         "update (estimate for an idle machine)", "updates/s"),
                  Figure("machine_busy_percent", "machine CPU busy (all sessions)", "%"),
                  Figure("load_average_1min", "load average, 1 min (all sessions)", ""),
              )),
    Benchmark("load", "benchmarks.bench_load",
              "load test: 1,000 installers for 60 s, /status, registrations and templates, "
              "two bot processes behind the webhook", 3, (
                  Figure("updates_per_s", "throughput", "updates/s"),
                  Figure("p50_ms", "p50, all updates", "ms"),
                  Figure("p99_ms", "p99, all updates", "ms"),
                  Figure("status_p99_ms", "/status, p99", "ms"),
                  Figure("register_p99_ms", "registration, p99", "ms"),
                  Figure("template_p99_ms", "template upload, p99", "ms"),
                  Figure("errors", "errors (wrong or missing answers, devices missing or "
                         "twice)", "", 0, False),
                  Figure("bot_cpu_ms_per_update", "bots' CPU per update", "ms",
                         higher_is_better=False),
                  Figure("database_cpu_ms_per_update", "PostgreSQL server's CPU per update",
                         "ms", higher_is_better=False),
                  Figure("machine_busy_percent", "machine CPU busy (all sessions)", "%"),
                  Figure("load_average_1min", "load average, 1 min (all sessions)", ""),
              ), backends=("postgresql",)),
    Benchmark("import", "benchmarks.bench_import",
              "template import end to end (read, validate, store, result workbook)", 3, (
                  Figure("import_s", "10,000 rows, whole import", "s"),
                  Figure("anchor_s", "10,000 rows, openpyxl read-only read alone (anchor)", "s"),
                  Figure("ratio", "10,000 rows, import / anchor", "x", 1.0, False),
                  Figure("large_import_s", "100,000 rows, whole import", "s"),
                  Figure("large_peak_mb", "100,000 rows, peak RSS of the importing process",
                         "MB", 300, False),
              )),
    Benchmark("portal", "benchmarks.bench_portal",
              "Sunny Portal export of 100,000 rows end to end (read, decide, store)", 3, (
                  Figure("rows_per_s", "throughput", "rows/s", 5000),
                  Figure("import_s", "whole import", "s"),
                  Figure("cpu_rows_per_s", "throughput per CPU second of the process",
                         "rows/s"),
                  Figure("reimport_s", "re-import of the same export", "s"),
              )),
    Benchmark("labels", "benchmarks.bench_labels",
              "type label photos, 200 with a barcode and 200 text-only (tesseract)", 3, (
                  Figure("barcode_read_pct", "barcode labels read correctly", "%", 98),
                  Figure("barcode_ms_median", "barcode label, per photo, median", "ms"),
                  Figure("barcode_ms_p95", "barcode label, per photo, p95", "ms", 150, False),
                  Figure("barcode_ms_max", "barcode label, per photo, slowest", "ms"),
                  Figure("text_read_pct", "text-only labels read correctly", "%", 85),
                  Figure("text_ms_median", "text-only label, per photo, median", "ms"),
                  Figure("text_ms_p95", "text-only label, per photo, p95", "ms"),
                  Figure("barcode_wrong", "wrong serials offered, barcode labels", ""),
                  Figure("text_wrong", "wrong serials offered, text-only labels", ""),
                  Figure("unflagged_wrong", "wrong serials offered without a master-data flag",
                         "", 0, False),
              ), backends=("sqlite",), database=False),
    Benchmark("scrape", "benchmarks.bench_scrape",
              "GET /metrics with 50,000 unsent and 500,000 sent outbox rows", 3, (
                  Figure("scrape_ms_median", "one scrape, median of 100", "ms", 100, False),
                  Figure("scrape_ms_p95", "one scrape, p95", "ms"),
                  Figure("healthz_ms_median", "GET /healthz, median", "ms"),
              )),
)


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def postgres_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    engine = make_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        return None
    except SQLAlchemyError as error:
        return str(error.__cause__ or error).splitlines()[0]
    finally:
        engine.dispose()


def run_once(benchmark: Benchmark, backend: str, pg_url: str,
             extra: list[str]) -> dict[str, Any]:
    """One fresh process; its progress goes to our stderr, its result line is parsed."""
    command = [sys.executable, "-m", benchmark.module, "--backend", backend,
               "--pg-url", pg_url, *benchmark.options, *extra]
    done = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line.removeprefix(RESULT_PREFIX))["metrics"]
            if done.returncode == 0:
                return result
    raise RuntimeError(f"{' '.join(command)} failed with exit status {done.returncode}")


def machine(server_versions: dict[str, str]) -> list[str]:
    """The lines BENCHMARKS.md records about where the figures come from."""
    model = "unknown"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True,
                                   check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        f"- Date: {date.today().isoformat()}",
        f"- CPU: {model}, {cpus} CPUs (nproc)",
        f"- RAM: {memory}",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
    ]
    if "postgresql" in server_versions:
        lines.append(f"- PostgreSQL {server_versions['postgresql']} (same machine, "
                     "over TCP on 127.0.0.1)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=None,
                        help="PostgreSQL server (default: TEST_DATABASE_URL, else "
                             "the local postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    parser.add_argument("--no-pg", action="store_true", help="measure SQLite only")
    parser.add_argument("--runs", type=int, default=None,
                        help="runs per benchmark and backend (default: 3 for register, "
                             "5 for summary)")
    parser.add_argument("--only", choices=[b.name for b in BENCHMARKS], action="append",
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="how long the load test runs (default 60; shorter: a smoke test)")
    parser.add_argument("--rebuild", action="store_true",
                        help="make the cached SQLite file of the summary benchmark again")
    args = parser.parse_args()
    pg_url = args.pg_url or default_pg_url()

    backends = ["sqlite"]
    notes: list[str] = []
    if args.no_pg:
        notes.append("PostgreSQL skipped (--no-pg).")
    elif (why := postgres_reachable(pg_url)) is not None:
        notes.append(f"PostgreSQL skipped: {pg_url} not reachable ({why}).")
        print(notes[-1], file=sys.stderr)
    else:
        backends.append("postgresql")

    rows: list[str] = []
    server_versions: dict[str, str] = {}
    missed = failed = False
    for benchmark in BENCHMARKS:
        if args.only and benchmark.name not in args.only:
            continue
        runs = args.runs or benchmark.runs
        for backend in (b for b in backends if b in benchmark.backends):
            extra = ["--rebuild"] if args.rebuild and benchmark.name == "summary" else []
            always = [f"--seconds={args.seconds}"] \
                if args.seconds is not None and benchmark.name == "load" else []
            results: list[dict[str, Any]] = []
            for run in range(runs):
                print(f"== {benchmark.name} / {backend}: run {run + 1} of {runs}",
                      file=sys.stderr, flush=True)
                try:
                    # Rebuild the cache once, not on every run.
                    results.append(run_once(benchmark, backend, pg_url,
                                            always + (extra if run == 0 else [])))
                except RuntimeError as error:
                    print(error, file=sys.stderr)
                    failed = True
                    break
            if not results:
                rows.append(f"| {benchmark.title} | {BACKEND_NAMES[backend]} | - | - | - | - "
                            "| ERROR |")
                continue
            server_versions[backend] = str(results[0].get("server", ""))
            for figure in benchmark.figures:
                values = [float(r[figure.metric]) for r in results]
                value = median(values)
                verdict = figure.verdict(value)
                missed |= verdict == "FAIL"
                shown = BACKEND_NAMES[backend] if benchmark.database else "-"
                rows.append(
                    f"| {benchmark.title} | {shown} | {figure.label} "
                    f"| **{_number(value)}** {figure.unit} | {' / '.join(map(_number, values))} "
                    f"| {figure.target_text()} | {verdict} |")

    print()
    print("\n".join(machine(server_versions)))
    print()
    print("| Benchmark | Backend | Figure | Median | Each run | Target | Result |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    for note in notes:
        print(f"\n{note}")
    sys.exit(2 if failed else 1 if missed else 0)


if __name__ == "__main__":
    main()
