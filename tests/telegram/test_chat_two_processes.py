"""Two bot processes behind the webhook share every conversation through the database.

The local Bot API server plays Telegram and the load balancer: it posts the updates round
robin to two real ``python -m bot.telegram.bot_process`` processes on the same database, so a
conversation started on one process continues on the other.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from databases import Database
from sqlmodel import Session, select
from telegram_support import FRENCH, TOKEN, Clock, last_code, serial_of

from bot.bootstrap import App
from bot.telegram.bot_process import READY
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import JSON, BotOutput, World
from storage.tables import Registration

REPO = Path(__file__).resolve().parents[2]
# Only to turn a process that never answers into a failure instead of a hang.
HANG_GUARD_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_process(database: Database, server: BotApiServer, port: int, data_dir: Path,
                clock: Clock) -> subprocess.Popen[str]:
    """A bot process configured by its environment, as in production, webhook on ``port``."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("CASHBACK_", "TELEGRAM_", "DATABASE_URL"))}
    environment = {**keep, "DATABASE_URL": database.url, "CASHBACK_DATA_DIR": str(data_dir),
                   "TELEGRAM_BOT_TOKEN": TOKEN,
                   "CASHBACK_TELEGRAM_BASE_URL": server.base_url,
                   "CASHBACK_TELEGRAM_BASE_FILE_URL": server.base_file_url,
                   "CASHBACK_TELEGRAM_MODE": "webhook",
                   "CASHBACK_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                   "CASHBACK_TELEGRAM_WEBHOOK_PORT": str(port),
                   "CASHBACK_TELEGRAM_WEBHOOK_SECRET": "two-processes-test-secret",
                   "CASHBACK_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "bot.telegram.bot_process",
                             "--frozen-clock", clock.now.isoformat()],
                            cwd=REPO, env=environment, stdout=subprocess.PIPE, text=True)


def wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == READY:
            return
    raise AssertionError(f"the bot process ended with exit status {process.wait()}")


@asynccontextmanager
async def two_bots(world: World, database: Database, data_dir: Path,
                   clock: Clock) -> AsyncIterator[BotApiServer]:
    ports = [free_port(), free_port()]
    async with BotApiServer(world, webhook_backends=[f"http://127.0.0.1:{p}"
                                                     for p in ports]) as server:
        processes = [bot_process(database, server, port, data_dir, clock) for port in ports]
        try:
            await asyncio.wait_for(asyncio.gather(
                *(asyncio.to_thread(wait_ready, p) for p in processes)), HANG_GUARD_SECONDS)
            yield server
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                await asyncio.to_thread(process.wait, HANG_GUARD_SECONDS)
                if process.stdout is not None:
                    process.stdout.close()


class Installer:
    """A user who counts the bot's messages, since no process tells this one it is done."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.user = world.add_user("Marie", "fr")
        self.chat = world.chats[self.user["id"]]
        self.update_ids: list[int] = []

    def outputs(self) -> list[BotOutput]:
        return [o for o in self.world.outputs if o.chat_id == self.chat["id"]]

    async def act(self, kind: str, payload: JSON, answers: int) -> list[BotOutput]:
        """Send one update; the bot's next ``answers`` messages or edits in the chat."""
        before = len(self.outputs())
        self.update_ids.append(await self.world.push(kind, payload))
        async with asyncio.timeout(HANG_GUARD_SECONDS):
            while len(self.outputs()) < before + answers:
                await self.world.wait_changed(1.0)
        return self.outputs()[before:before + answers]

    async def send(self, text: str, answers: int = 1) -> list[BotOutput]:
        return await self.act("message", self.world.user_message(self.user, self.chat,
                                                                 text=text), answers)

    async def press(self, label: str, on: BotOutput, answers: int) -> list[BotOutput]:
        rows = on.message.get("reply_markup", {}).get("inline_keyboard", [])
        [data] = [b["callback_data"] for row in rows for b in row if b["text"] == label]
        query_id = str(self.world.next_id())
        self.world.callback_answers[query_id] = {"answered": False}
        return await self.act("callback_query", {
            "id": query_id, "from": self.user, "message": on.message,
            "chat_instance": str(self.chat["id"]), "data": data}, answers)


async def test_a_conversation_started_on_one_bot_process_continues_on_the_other(
        cashback: App, database: Database, clock: Clock, tmp_path: Path) -> None:
    world = World(token=TOKEN)
    serial = serial_of(cashback, "STP-SE")
    async with two_bots(world, database, tmp_path / "bots", clock) as server:
        marie = Installer(world)
        await marie.send(f"/link {FRENCH}")
        [linked] = await marie.send(last_code(cashback))
        await marie.send("/register")
        [ask_product] = await marie.send(serial)
        [_, ask_date] = await marie.press("Sunny Tripower Smart Energy", ask_product, 2)
        [_, verdict] = await marie.press("Aujourd'hui", ask_date, 2)
        routes = [server.webhook.routes[u] for u in marie.update_ids]

    assert "✅" in str(linked.message["text"])
    assert "Enregistrement terminé, paiement en attente" in str(verdict.message["text"])
    with Session(cashback.engine) as session:
        [stored] = session.exec(select(Registration)).all()
    assert (stored.serial, stored.product_code, str(stored.installed_on)) == (
        serial, "STP-SE", "2026-06-15")
    # Each step of the conversation went to the other process than the step before.
    assert len(set(routes)) == 2
    assert all(a != b for a, b in zip(routes, routes[1:], strict=False))


def test_the_bot_alone_without_a_token_says_what_it_needs(tmp_path: Path) -> None:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("CASHBACK_", "TELEGRAM_", "DATABASE_URL"))}
    done = subprocess.run([sys.executable, "-m", "bot.telegram.bot_process"], cwd=tmp_path,
                          env={**keep, "CASHBACK_DEFAULT_LANGUAGE": "fr"},
                          capture_output=True, text=True, check=False)

    assert done.returncode == 2
    assert "Le bot seul a besoin de TELEGRAM_BOT_TOKEN" in done.stderr
    assert "cashback run" in done.stderr
