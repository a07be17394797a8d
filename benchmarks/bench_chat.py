"""Chat updates through the whole stack: the local Bot API server, python-telegram-bot, the
handlers, the database, and the answer back over HTTP.

Setup, not timed: a fresh migrated database, one enrolled company with 1,000 registrations
(master data for them and for the devices registered below), 50 chat users linked to it, the
local Bot API server on loopback and the assistant's real Telegram application polling it.
The throttling and send-rate limits are lifted: they protect Telegram and the bot from one
user; here 50 users measure what the bot itself can handle.
Timed, two phases: each of the 50 users sends a message, waits until the bot has handled it
(answered over HTTP), then sends the next, as people do:
``/status`` (40 each, 2,000 updates: the company summary with its open requests), then a
one-line registration of a new device (10 each, 500 updates). Results: updates per second
over each phase, and the p50/p99 time from an update's arrival at the server to the end of
its handling.

    python -m benchmarks.bench_chat --backend sqlite|postgresql [--pg-url URL]
"""

from __future__ import annotations

import asyncio
import multiprocessing
import tempfile
import time
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from time import perf_counter

from sqlalchemy import Engine
from sqlmodel import select

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
from bot.bootstrap import App
from bot.settings import Settings
from bot.telegram.application import Endpoint, build_application
from bot.telegram.serve import running
from core.campaign import Campaign
from core.masterdata import Device
from core.statuses import Channel
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import World
from storage.documents import DocumentStore
from storage.services.companies import CompanyRecord, import_companies, import_masterdata
from storage.services.registrations import ClaimInput, register_many
from storage.tables import ChatUser, Company
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
FIRST_SERIAL = 3_100_000_000


def prepare(engine: Engine, campaign: Campaign) -> list[str]:
    """The company, its registrations, its linked chat users; returns serials to register."""
    serials = [str(FIRST_SERIAL + i) for i in range(REGISTRATIONS + USERS * REGISTER_EACH)]
    with UnitOfWork(engine) as uow:
        import_companies(uow, now=NOW, records=[CompanyRecord(
            CUSTOMER, "Benchmark Solaire", campaign.code, "fr", ("office@bench.example",))])
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


async def phase(world: World, chats: list[int], messages: list[list[str]],
                ) -> tuple[float, list[float]]:
    """Every user sends their messages one after the other, waiting for each answer."""
    latencies: list[float] = []
    answered: dict[int, int] = dict.fromkeys(chats, 0)
    seen = len(world.outputs)

    async def talk(chat_id: int, texts: list[str]) -> None:
        user = world.users[chat_id]
        for text in texts:
            started = perf_counter()
            expected = answered[chat_id] + 1
            await world.push("message", world.user_message(user, world.chats[chat_id],
                                                           text=text))
            while answered[chat_id] < expected:
                await world.wait_changed(5.0)
            latencies.append(perf_counter() - started)

    async def count_answers() -> None:
        nonlocal seen
        while True:
            await world.wait_changed(5.0)
            for output in world.outputs[seen:]:
                if output.method == "sendMessage" and output.chat_id in answered:
                    answered[output.chat_id] += 1
            seen = len(world.outputs)

    counter = asyncio.create_task(count_answers())
    started = perf_counter()
    await asyncio.gather(*(talk(c, m) for c, m in zip(chats, messages, strict=True)))
    elapsed = perf_counter() - started
    counter.cancel()
    return elapsed, latencies


def telegram_side(ports: Connection, new_serials: list[str]) -> None:
    """The other process: the local Bot API server and the 50 users typing."""

    async def serve() -> dict[str, float]:
        world = World(token=TOKEN)
        chats = [world.add_user(f"User {i}", "fr", user_id=500_000 + i)["id"]
                 for i in range(USERS)]
        async with BotApiServer(world) as server:
            ports.send((server.base_url, server.base_file_url))
            await asyncio.to_thread(ports.recv)  # the bot is polling
            log(f"{NAME}: {USERS} users, {USERS * STATUS_EACH:,} /status")
            status_s, status = await phase(world, chats, [["/status"] * STATUS_EACH] * USERS)
            log(f"{NAME}: {USERS} users, {USERS * REGISTER_EACH:,} registrations")
            lines = [[f"{new_serials[u * REGISTER_EACH + i]} STP-SE 01/06/2026"
                      for i in range(REGISTER_EACH)] for u in range(USERS)]
            register_s, register = await phase(world, chats, lines)
            ports.send("done")
            await asyncio.to_thread(ports.recv)  # the bot stopped polling: close the server
        return {
            "status_updates_per_s": round(len(status) / status_s, 1),
            "status_p50_ms": round(median(status) * 1000, 1),
            "status_p99_ms": round(percentile(status, 0.99) * 1000, 1),
            "register_updates_per_s": round(len(register) / register_s, 1),
            "register_p50_ms": round(median(register) * 1000, 1),
            "register_p99_ms": round(percentile(register, 0.99) * 1000, 1),
        }

    metrics = asyncio.run(serve())
    ports.send(metrics)


async def measure(app: App, new_serials: list[str]) -> dict[str, float]:
    """The bot here, Telegram's side in another process, as in production."""
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    other = multiprocessing.get_context("spawn").Process(
        target=telegram_side, args=(theirs, new_serials))
    other.start()
    try:
        base_url, base_file_url = await asyncio.to_thread(ours.recv)
        application = build_application(app, TOKEN, endpoint=Endpoint(base_url, base_file_url))
        async with running(application):
            cpu = time.process_time()
            ours.send("polling")
            await asyncio.to_thread(ours.recv)
            cpu = time.process_time() - cpu
        ours.send("stopped")
        metrics: dict[str, float] = await asyncio.to_thread(ours.recv)
    finally:
        other.join()
    updates = USERS * (STATUS_EACH + REGISTER_EACH)
    return {**metrics, "bot_cpu_ms_per_update": round(cpu * 1000 / updates, 2)}


def main() -> None:
    """Set up, measure, print the result line."""
    args = arguments(__doc__ or NAME).parse_args()
    campaign = load_campaign("fr-2026")
    with stopping_cleanly(), fresh_engine(args.backend, args.pg_url) as engine, \
            tempfile.TemporaryDirectory(prefix="cashback-bench-chat-") as folder:
        log(f"{NAME}/{args.backend}: {REGISTRATIONS:,} registrations, {USERS} chat users")
        new_serials = prepare(engine, campaign)
        settings = Settings(data_dir=Path(folder), chat_rate_limit_count=10**9,
                            chat_send_rate=0)
        app = App(settings=settings, engine=engine, campaigns={campaign.code: campaign},
                  documents=DocumentStore(Path(folder) / "documents"), clock=lambda: NOW)
        metrics = asyncio.run(measure(app, new_serials))
        log(f"{NAME}/{args.backend}: /status {metrics['status_updates_per_s']:,} updates/s "
            f"(p50 {metrics['status_p50_ms']} ms, p99 {metrics['status_p99_ms']} ms); "
            f"register {metrics['register_updates_per_s']:,} updates/s")
        emit(NAME, args.backend, {**metrics, "users": USERS,
                                  "target_status_updates_per_s":
                                      TARGET_STATUS_UPDATES_PER_SECOND,
                                  "server": server_version(engine)})


if __name__ == "__main__":
    main()
