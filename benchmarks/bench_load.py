"""Load test: 1,000 installers chatting at once with two bot processes behind the webhook.

Setup, not timed: a fresh migrated database (PostgreSQL unless ``--backend sqlite``), 100
enrolled companies with 100 registrations each, 1,000 chat users linked to them (ten per
company), master data for every device they will register; the local Bot API server on
loopback playing Telegram and the load balancer (deliveries round robin to the bots' webhook
servers), two ``python -m bot.telegram.bot_process`` in webhook mode (``chat_stack``).
Timed, ``--seconds`` (60): every installer sends a message, waits for the complete answer,
thinks a moment (uniform 0 to twice ``--think-seconds``) and sends the next: ``/status``
(70 %), a one-line registration of a new device (20 %, of which one in ten repeats a serial
the company already registered), a small CSV template with five new devices (7 %) or the same
file again (3 %). Then no new messages; the answers still on their way are awaited.
Every answer is checked: the company's summary, each serial's verdict (a repeat must be
"already registered"), the import summary and result workbook (a repeated file "already
processed"); afterwards the database must hold every device exactly once. Results:
throughput (answered updates per second), p50/p99 per kind and over all, errors (wrong or
missing answers, devices missing or registered twice: must be 0), CPU and machine load.

    python -m benchmarks.bench_load [--backend postgresql|sqlite] [--seconds 60]
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from benchmarks.chat_inbox import Inbox, collecting
from benchmarks.chat_stack import (
    MachineLoad,
    chat_stack,
    database_cpu_between,
    database_cpu_seconds,
)
from benchmarks.load_users import Installer, Outcome, Scenario
from benchmarks.support import (
    analyze,
    arguments,
    emit,
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
from core.statuses import Channel
from sandbox.botapi.world import World
from storage.services.companies import CompanyRecord, import_companies, import_masterdata
from storage.services.registrations import ClaimInput, register_many
from storage.tables import ChatUser, Company, Registration
from storage.uow import UnitOfWork

NAME = "load"
USERS = 1_000
COMPANIES = 100
REGISTERED_EACH = 100
POOL_EACH = 100  # new serials each installer may register
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TOKEN = "100000001:load-test"
FIRST_SERIAL = 3_200_000_000
FIRST_USER = 700_000
DRAIN_SECONDS = 120.0


def prepare(engine: Engine, campaign: Campaign) -> list[Installer]:
    """Companies, their registrations and linked installers, the master data for all."""
    registered = COMPANIES * REGISTERED_EACH
    serials = [str(FIRST_SERIAL + i) for i in range(registered + USERS * POOL_EACH)]
    numbers = [f"{800_000 + c}" for c in range(COMPANIES)]
    with UnitOfWork(engine) as uow:
        import_companies(uow, now=NOW, records=[
            CompanyRecord(number, f"Installateur {number}", campaign.code, "fr",
                          (f"office-{number}@load.example",)) for number in numbers])
    with UnitOfWork(engine) as uow:
        import_masterdata(uow, devices=[Device(s, "STP-SE", date(2025, 6, 1)) for s in serials])
    for index, number in enumerate(numbers):
        with UnitOfWork(engine) as uow:
            first = index * REGISTERED_EACH
            register_many(uow, campaign=campaign, customer_number=number,
                          claims=[ClaimInput(s, "STP-SE", date(2026, 6, 1))
                                  for s in serials[first:first + REGISTERED_EACH]],
                          channel=Channel.TEMPLATE, actor="load test", now=NOW)
    installers = []
    with UnitOfWork(engine) as uow:
        ids = dict(uow.session.exec(select(Company.customer_number, Company.id)).all())
        for user in range(USERS):
            number = numbers[user % COMPANIES]
            uow.session.add(ChatUser(telegram_user_id=FIRST_USER + user, company_id=ids[number],
                                     language="fr", verified=True, created_at=NOW))
            first = registered + user * POOL_EACH
            own = serials[first:first + POOL_EACH]
            earlier = serials[(user % COMPANIES) * REGISTERED_EACH:][:REGISTERED_EACH]
            installers.append(Installer(FIRST_USER + user, f"Installateur {number}", own,
                                        earlier))
        uow.commit()
    analyze(engine)
    return installers


def stored_serials(engine: Engine) -> tuple[int, int]:
    """How many registrations there are, and how many distinct serials among them."""
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(Registration)).one()
        distinct = session.exec(select(func.count(func.distinct(col(Registration.serial))))
                                ).one()
    return int(total), int(distinct)


async def drive(world: World, inbox: Inbox, installers: list[Installer], scenario: Scenario,
                seconds: float, think: float) -> tuple[list[Outcome], float]:
    """Everyone talks until ``seconds`` have passed; then the answers on their way."""
    outcomes: list[Outcome] = []
    deadline = perf_counter() + seconds

    async def installer_talks(installer: Installer, rng: random.Random) -> None:
        await asyncio.sleep(rng.uniform(0, 2 * think))  # not everyone starts at once
        while perf_counter() < deadline:
            outcomes.append(await scenario.step(installer, rng))
            await asyncio.sleep(rng.uniform(0, 2 * think))

    started = perf_counter()
    talking = [asyncio.create_task(installer_talks(i, random.Random(i.user_id)))
               for i in installers]
    await asyncio.wait_for(asyncio.gather(*talking), seconds + DRAIN_SECONDS)
    return outcomes, perf_counter() - started


async def measure(engine: Engine, folder: Path, installers: list[Installer], *,
                  seconds: float, think: float, bots: int) -> dict[str, float | int]:
    """Run the load against the stack; figures and error counts."""
    world = World(token=TOKEN)
    for installer in installers:
        world.add_user(f"Installer {installer.user_id}", "fr", user_id=installer.user_id)
    async with chat_stack(world, engine, folder, bots=bots, mode="webhook", now=NOW) as stack, \
            collecting(world) as inbox:
        scenario = Scenario(world, inbox)
        machine = MachineLoad()
        machine.start()
        bots_cpu, own_cpu = stack.bots_cpu_seconds(), time.process_time()
        database_cpu = database_cpu_seconds(engine)
        log(f"{NAME}: {len(installers):,} installers for {seconds:g} s")
        outcomes, elapsed = await drive(world, inbox, installers, scenario, seconds, think)
        bots_cpu = stack.bots_cpu_seconds() - bots_cpu
        own_cpu = time.process_time() - own_cpu
        database = database_cpu_between(database_cpu, database_cpu_seconds(engine))
        busy = machine.stop()
        delivered = stack.server.webhook.delivered
    by_kind: dict[str, list[float]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.kind].append(outcome.seconds)
    wrong = [o for o in outcomes if o.problem]
    for outcome in wrong[:5]:
        log(f"{NAME}: WRONG {outcome.kind}: {outcome.problem}")
    everything = [o.seconds for o in outcomes]
    metrics: dict[str, float | int] = {
        "updates": len(outcomes),
        "updates_per_s": round(len(outcomes) / elapsed, 1),
        "p50_ms": round(median(everything) * 1000, 1),
        "p99_ms": round(percentile(everything, 0.99) * 1000, 1),
        "wrong_answers": len(wrong),
        "webhook_deliveries": delivered,
        "bot_cpu_ms_per_update": round(bots_cpu * 1000 / max(1, len(outcomes)), 2),
        "server_cpu_ms_per_update": round(own_cpu * 1000 / max(1, len(outcomes)), 2),
        "database_cpu_ms_per_update": round(database * 1000 / max(1, len(outcomes)), 2),
        "machine_busy_percent": round(busy * 100, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    for kind, values in sorted(by_kind.items()):
        metrics[f"{kind}_count"] = len(values)
        metrics[f"{kind}_p50_ms"] = round(median(values) * 1000, 1)
        metrics[f"{kind}_p99_ms"] = round(percentile(values, 0.99) * 1000, 1)
    return metrics


def main() -> None:
    """Set up, load, check, print the result line."""
    parser = arguments(__doc__ or NAME)
    parser.set_defaults(backend="postgresql")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="how long the installers talk (shorter for a smoke test)")
    parser.add_argument("--think-seconds", type=float, default=2.0,
                        help="mean pause between an answer and the next message")
    parser.add_argument("--bots", type=int, default=2, help="bot processes")
    args = parser.parse_args()
    campaign = load_campaign("fr-2026")
    with stopping_cleanly(), fresh_engine(args.backend, args.pg_url) as engine, \
            tempfile.TemporaryDirectory(prefix="cashback-bench-load-") as folder:
        log(f"{NAME}/{args.backend}: {COMPANIES} companies, {USERS:,} installers, "
            f"{args.bots} bot processes")
        installers = prepare(engine, campaign)
        before, _ = stored_serials(engine)
        metrics = asyncio.run(measure(engine, Path(folder), installers, seconds=args.seconds,
                                      think=args.think_seconds, bots=args.bots))
        total, distinct = stored_serials(engine)
        expected = before + sum(len(i.registered) for i in installers)
        metrics["registered_twice"] = total - distinct
        metrics["registrations_missing"] = expected - total
        metrics["errors"] = (int(metrics["wrong_answers"]) + metrics["registered_twice"]
                             + abs(metrics["registrations_missing"]))
        log(f"{NAME}/{args.backend}: {metrics['updates_per_s']} updates/s, p50 "
            f"{metrics['p50_ms']} ms, p99 {metrics['p99_ms']} ms, errors {metrics['errors']}")
        emit(NAME, args.backend, {**metrics, "installers": USERS, "bots": args.bots,
                                  "seconds": args.seconds, "server": server_version(engine)})
        if metrics["errors"]:
            raise SystemExit(f"{NAME}: {metrics['errors']} errors")


if __name__ == "__main__":
    main()
