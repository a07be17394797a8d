"""Chat updates through the whole stack: the local Bot API server, python-telegram-bot, the
handlers, the database, and the answer back over HTTP.

Setup, not timed: a fresh migrated database, one enrolled company with 1,000 registrations
(master data for them and for the devices registered below), 50 chat users linked to it, the
local Bot API server on loopback (this process, with the users) and the assistant's bot in
separate processes (``python -m bot.telegram.bot_process``, see ``chat_stack``): by default
two behind the webhook, the server spreading deliveries over them as a load balancer would;
``--mode polling --bots 1`` is the single long-polling process. The throttling and send-rate
limits are lifted: they protect Telegram and the bot from one user; here 50 users measure
what the bots can handle.
Timed, two phases: each of the 50 users sends a message, waits until the bot has answered
(over HTTP), then sends the next, as people do: ``/status`` (40 each, 2,000 updates: the
company summary with its open requests), then a one-line registration of a new device (10
each, 500 updates). Every answer is checked (the same summary for everyone; each serial's
verdict), and every registration must be in the database afterwards. Results: updates per
second over each phase, p50/p99 from sending an update to the server until the answer
arrived there, CPU per update of the bots and of this process, and how busy the machine was.

    python -m benchmarks.bench_chat --backend sqlite|postgresql [--pg-url URL]
        [--mode webhook|polling] [--bots N]
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from benchmarks.chat_inbox import Inbox, collecting
from benchmarks.chat_stack import (
    MachineLoad,
    chat_stack,
    database_cpu_between,
    database_cpu_seconds,
)
from benchmarks.support import (
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
from bot.i18n import translator
from core.campaign import Campaign
from core.masterdata import Device
from core.statuses import Channel, Status
from core.wording import status_name
from sandbox.botapi.world import World
from storage.services.companies import CompanyRecord, import_companies, import_masterdata
from storage.services.registrations import ClaimInput, register_many
from storage.tables import ChatUser, Company, Registration
from storage.uow import UnitOfWork

NAME = "chat"
TARGET_STATUS_UPDATES_PER_SECOND = 300
USERS = 50
STATUS_EACH = 40
REGISTER_EACH = 10
REGISTRATIONS = 1_000
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TOKEN = "100000001:benchmark"
CUSTOMER = "900001"
COMPANY = "Benchmark Solaire"
FIRST_SERIAL = 3_100_000_000


def prepare(engine: Engine, campaign: Campaign) -> list[str]:
    """The company, its registrations, its linked chat users; returns serials to register."""
    serials = [str(FIRST_SERIAL + i) for i in range(REGISTRATIONS + USERS * REGISTER_EACH)]
    with UnitOfWork(engine) as uow:
        import_companies(uow, now=NOW, records=[CompanyRecord(
            CUSTOMER, COMPANY, campaign.code, "fr", ("office@bench.example",))])
    with UnitOfWork(engine) as uow:
        import_masterdata(uow, devices=[Device(s, "STP-SE", date(2025, 6, 1)) for s in serials])
    with UnitOfWork(engine) as uow:
        register_many(uow, campaign=campaign, customer_number=CUSTOMER,
                      claims=[ClaimInput(s, "STP-SE", date(2026, 6, 1))
                              for s in serials[:REGISTRATIONS]],
                      channel=Channel.TEMPLATE, actor="benchmark", now=NOW)
    with UnitOfWork(engine) as uow:
        company_id = uow.session.exec(select(Company.id)).one()
        for user in range(USERS):
            uow.session.add(ChatUser(telegram_user_id=500_000 + user, company_id=company_id,
                                     language="fr", verified=True, created_at=NOW))
        uow.commit()
    return serials[REGISTRATIONS:]


@dataclass
class Phase:
    """What one phase measured."""

    seconds: float
    latencies: list[float]
    wrong: list[str]


Check = Callable[[int, str, str], bool]  # (chat, what the user sent, the answer) -> correct?


async def phase(world: World, inbox: Inbox, chats: list[int], messages: list[list[str]],
                check: Check) -> Phase:
    """Every user sends their messages one after the other, waiting for each answer."""
    latencies: list[float] = []
    wrong: list[str] = []

    async def talk(chat_id: int, texts: list[str]) -> None:
        user = world.users[chat_id]
        for text in texts:
            started = perf_counter()
            expected = inbox.count(chat_id) + 1
            await world.push("message", world.user_message(user, world.chats[chat_id],
                                                           text=text))
            answer = (await inbox.wait(chat_id, expected))[-1]
            latencies.append(perf_counter() - started)
            said = str(answer.message.get("text"))
            if answer.method != "sendMessage" or not check(chat_id, text, said):
                wrong.append(f"{text!r} -> {answer.method} {said[:200]!r}")

    started = perf_counter()
    await asyncio.gather(*(talk(c, m) for c, m in zip(chats, messages, strict=True)))
    return Phase(perf_counter() - started, latencies, wrong)


def checks() -> tuple[Check, Check]:
    """What a correct /status and a correct one-line registration answer look like."""
    t = translator("fr")
    verdicts = (status_name(Status.PENDING_PAYMENT, t), status_name(Status.INFO_REQUIRED, t))
    summaries: set[str] = set()

    def status_ok(chat: int, sent: str, answer: str) -> bool:
        # Nothing changes during the phase: every user must see the same summary.
        summaries.add(answer)
        return answer.startswith(f"📊 {COMPANY}") and len(summaries) == 1

    def registration_ok(chat: int, sent: str, answer: str) -> bool:
        serial = sent.split()[0]
        return answer.startswith(f"{serial} – ") and any(v in answer for v in verdicts)

    return status_ok, registration_ok


async def measure(engine: Engine, folder: Path, new_serials: list[str], *, mode: str,
                  bots: int) -> dict[str, float]:
    """Telegram's side here, the bots in their own processes, as in production."""
    world = World(token=TOKEN)
    chats = [world.add_user(f"User {i}", "fr", user_id=500_000 + i)["id"] for i in range(USERS)]
    status_ok, registration_ok = checks()
    async with chat_stack(world, engine, folder, bots=bots, mode=mode, now=NOW) as stack, \
            collecting(world) as inbox:
        machine = MachineLoad()
        machine.start()
        bots_cpu, own_cpu = stack.bots_cpu_seconds(), time.process_time()
        database_cpu = database_cpu_seconds(engine)
        log(f"{NAME}: {USERS} users, {USERS * STATUS_EACH:,} /status")
        status = await phase(world, inbox, chats, [["/status"] * STATUS_EACH] * USERS, status_ok)
        status_bots_cpu = stack.bots_cpu_seconds() - bots_cpu
        status_own_cpu = time.process_time() - own_cpu
        status_database_cpu = database_cpu_between(database_cpu, database_cpu_seconds(engine))
        log(f"{NAME}: {USERS} users, {USERS * REGISTER_EACH:,} registrations")
        lines = [[f"{new_serials[u * REGISTER_EACH + i]} STP-SE 01/06/2026"
                  for i in range(REGISTER_EACH)] for u in range(USERS)]
        register = await phase(world, inbox, chats, lines, registration_ok)
        bots_cpu = stack.bots_cpu_seconds() - bots_cpu
        own_cpu = time.process_time() - own_cpu
        busy = machine.stop()
    for wrong in (status.wrong + register.wrong)[:5]:
        log(f"{NAME}: WRONG ANSWER {wrong}")
    updates = USERS * (STATUS_EACH + REGISTER_EACH)
    # What the stack could carry if it had the machine's CPUs to itself: the machine is shared
    # with other work, so measured throughput depends on them; CPU per update much less.
    stack_ms = (status_bots_cpu + status_own_cpu + status_database_cpu) * 1000 \
        / len(status.latencies)
    cpus = len(os.sched_getaffinity(0))
    return {
        "status_updates_per_s": round(len(status.latencies) / status.seconds, 1),
        "status_p50_ms": round(median(status.latencies) * 1000, 1),
        "status_p99_ms": round(percentile(status.latencies, 0.99) * 1000, 1),
        "register_updates_per_s": round(len(register.latencies) / register.seconds, 1),
        "register_p50_ms": round(median(register.latencies) * 1000, 1),
        "register_p99_ms": round(percentile(register.latencies, 0.99) * 1000, 1),
        "status_bot_cpu_ms": round(status_bots_cpu * 1000 / len(status.latencies), 2),
        "status_server_cpu_ms": round(status_own_cpu * 1000 / len(status.latencies), 2),
        "status_database_cpu_ms": round(status_database_cpu * 1000 / len(status.latencies), 2),
        "status_capacity_per_s": round(cpus * 1000 / stack_ms, 1),
        "bot_cpu_ms_per_update": round(bots_cpu * 1000 / updates, 2),
        "server_cpu_ms_per_update": round(own_cpu * 1000 / updates, 2),
        "machine_busy_percent": round(busy * 100, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "wrong_answers": len(status.wrong) + len(register.wrong),
    }


def main() -> None:
    """Set up, measure, check, print the result line."""
    parser = arguments(__doc__ or NAME)
    parser.add_argument("--mode", choices=("webhook", "polling"), default="webhook")
    parser.add_argument("--bots", type=int, default=2, help="bot processes (webhook mode)")
    args = parser.parse_args()
    campaign = load_campaign("fr-2026")
    with stopping_cleanly(), fresh_engine(args.backend, args.pg_url) as engine, \
            tempfile.TemporaryDirectory(prefix="cashback-bench-chat-") as folder:
        log(f"{NAME}/{args.backend}: {REGISTRATIONS:,} registrations, {USERS} chat users, "
            f"{args.bots} bot process(es), {args.mode}")
        new_serials = prepare(engine, campaign)
        metrics = asyncio.run(measure(engine, Path(folder), new_serials, mode=args.mode,
                                      bots=args.bots))
        with Session(engine) as session:
            stored = session.exec(select(func.count()).select_from(Registration)).one()
        missing = REGISTRATIONS + USERS * REGISTER_EACH - stored
        log(f"{NAME}/{args.backend}: /status {metrics['status_updates_per_s']:,} updates/s "
            f"(p50 {metrics['status_p50_ms']} ms, p99 {metrics['status_p99_ms']} ms); "
            f"register {metrics['register_updates_per_s']:,} updates/s; "
            f"{metrics['wrong_answers']} wrong answers, {missing} registrations missing")
        if metrics["wrong_answers"] or missing:
            raise SystemExit(f"{NAME}: wrong answers or missing registrations")
        emit(NAME, args.backend, {**metrics, "users": USERS, "bots": args.bots,
                                  "mode": args.mode,
                                  "target_status_updates_per_s":
                                      TARGET_STATUS_UPDATES_PER_SECOND,
                                  "server": server_version(engine)})


if __name__ == "__main__":
    main()
