"""Two bot processes registering the same serial at the same moment: one wins, cleanly."""

from __future__ import annotations

import multiprocessing
import queue
from collections import defaultdict
from datetime import datetime

import pytest
from databases import Database
from storage_support import COMPETITOR, INSTALLER, race_to_register, rows

from storage.tables import Registration

SERIALS = [str(3_000_000_000 + n) for n in range(20)]
DEADLINE = 120  # seconds for the whole race, far above what it takes


def _race(database: Database, customers: tuple[str, str],
          now: datetime) -> list[tuple[str, str, str, str | None]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(customers))
    results = context.Queue()
    processes = [context.Process(target=race_to_register,
                                 args=(database.url, "fr-2026", customer, SERIALS, now,
                                       barrier, results))
                 for customer in customers]
    for process in processes:
        process.start()
    collected = []
    try:
        for _ in range(len(customers) * len(SERIALS)):
            collected.append(results.get(timeout=DEADLINE))
    except queue.Empty:
        pytest.fail(f"the racing processes stopped answering after {len(collected)} results")
    finally:
        for process in processes:
            process.join(timeout=DEADLINE)
            if process.is_alive():
                process.kill()
                process.join()
        results.close()
        results.join_thread()
    assert [process.exitcode for process in processes] == [0] * len(customers)
    return collected


@pytest.mark.parametrize(("customers", "loser_reason"), [
    pytest.param((INSTALLER, COMPETITOR), "already_registered_by_other", id="two-companies"),
    pytest.param((INSTALLER, INSTALLER), "already_registered_by_company", id="same-company"),
])
def test_a_serial_raced_by_two_processes_is_registered_exactly_once(
        database: Database, companies: dict[str, int], now: datetime,
        customers: tuple[str, str], loser_reason: str) -> None:
    results = _race(database, customers, now)

    assert [r for r in results if r[2] == "error"] == []
    by_serial: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    for customer, serial, status, reason in results:
        by_serial[serial].append((customer, status, reason))
    registrations = {r.serial: r.company_id for r in rows(database.engine, Registration)}
    assert sorted(registrations) == SERIALS
    for serial in SERIALS:
        answers = by_serial[serial]
        winners = [a for a in answers if a[1] in ("pending_payment", "info_required")]
        losers = [a for a in answers if a[1] == "ineligible"]
        assert len(winners) == 1, (serial, answers)
        assert [reason for _, _, reason in losers] == [loser_reason], (serial, answers)
        assert registrations[serial] == companies[winners[0][0]]
