"""The whole chat stack for the chat benchmarks: the local Bot API server here, bot processes.

The benchmark process plays Telegram (``sandbox/botapi`` on loopback) and the users; each bot
is a separate ``python -m bot.telegram.bot_process``, configured by the environment exactly
as in production, on the benchmark's database. In webhook mode with several bots the server
also plays the load balancer: deliveries go round robin to the bots' webhook servers.
Also here: the CPU each process used and how busy the whole machine was, for the record.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text

from benchmarks.support import REPO, log
from bot.telegram.bot_process import READY
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import World

SECRET = "benchmark-webhook-secret-0123456789"
LOOPBACK = "127.0.0.1"
START_TIMEOUT_SECONDS = 120.0
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


APPLICATION_NAME = "cashback-bench-bot"


def database_url(engine: Engine) -> str:
    """The URL a child process opens to see the same database (and PostgreSQL schema).

    On PostgreSQL the bots' connections carry an application name of their own, so the CPU
    of the server processes serving them can be counted (:func:`database_cpu_seconds`).
    """
    url = engine.url
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = str(connection.execute(text("select current_schema()")).scalar())
        url = url.update_query_dict({"options": f"-csearch_path={schema}",
                                     "application_name": f"{APPLICATION_NAME}-{schema}"})
    return url.render_as_string(hide_password=False)


def database_cpu_seconds(engine: Engine) -> dict[int, float]:
    """CPU so far of each PostgreSQL server process serving the bots (empty for SQLite)."""
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as connection:
        pids = connection.execute(text(
            "select pid from pg_stat_activity where application_name = "
            "'" + APPLICATION_NAME + "-' || current_schema()")).scalars().all()
    found = {}
    for pid in pids:
        try:
            found[int(pid)] = process_cpu_seconds(int(pid))
        except OSError:  # gone meanwhile, or another machine's server
            pass
    return found


def database_cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the bots' server processes used between two :func:`database_cpu_seconds`."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


@dataclass
class MachineLoad:
    """How busy all CPUs were between :meth:`start` and :meth:`stop` (Linux /proc/stat)."""

    busy_share: float = 0.0
    _start: tuple[int, int] = (0, 0)

    @staticmethod
    def _sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        return sum(values), idle

    def start(self) -> None:
        """Begin the window."""
        self._start = self._sample()

    def stop(self) -> float:
        """End the window; the share of all CPUs' time that was busy (0..1)."""
        total, idle = self._sample()
        spent = total - self._start[0]
        self.busy_share = 1 - (idle - self._start[1]) / spent if spent else 0.0
        return self.busy_share


@dataclass
class Stack:
    """The running server and bot processes."""

    server: BotApiServer
    bots: list[subprocess.Popen[str]] = field(default_factory=list)

    def bots_cpu_seconds(self) -> float:
        """CPU used by all bot processes so far."""
        return sum(process_cpu_seconds(bot.pid) for bot in self.bots)


def _environment(engine: Engine, folder: Path, server: BotApiServer, token: str, mode: str,
                 port: int) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("CASHBACK_", "TELEGRAM_", "DATABASE_URL"))}
    return {**keep,
            "DATABASE_URL": database_url(engine),
            "CASHBACK_DATA_DIR": str(folder),
            "TELEGRAM_BOT_TOKEN": token,
            "CASHBACK_TELEGRAM_BASE_URL": server.base_url,
            "CASHBACK_TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "CASHBACK_TELEGRAM_MODE": mode,
            "CASHBACK_TELEGRAM_WEBHOOK_URL": f"http://{LOOPBACK}:{port}/telegram",
            "CASHBACK_TELEGRAM_WEBHOOK_LISTEN": LOOPBACK,
            "CASHBACK_TELEGRAM_WEBHOOK_PORT": str(port),
            "CASHBACK_TELEGRAM_WEBHOOK_SECRET": SECRET,
            # Per-user throttling and Telegram's send limit protect Telegram and the bot from
            # one user; here many users measure what the bots can handle.
            "CASHBACK_CHAT_RATE_LIMIT_COUNT": str(10**9),
            "CASHBACK_CHAT_SEND_RATE": "0",
            "CASHBACK_LOG_LEVEL": "WARNING"}


def start_bot(environment: dict[str, str], now: datetime) -> subprocess.Popen[str]:
    """One ``python -m bot.telegram.bot_process`` whose clock stands at ``now``."""
    return subprocess.Popen([sys.executable, "-m", "bot.telegram.bot_process",
                             "--frozen-clock", now.isoformat()],
                            cwd=REPO, stdout=subprocess.PIPE, text=True, env=environment)


def _wait_ready(bot: subprocess.Popen[str]) -> None:
    assert bot.stdout is not None
    for line in bot.stdout:
        if line.strip() == READY:
            return
    raise RuntimeError(f"bot process {bot.pid} ended before it was ready "
                       f"(exit status {bot.wait()})")


@asynccontextmanager
async def chat_stack(world: World, engine: Engine, folder: Path, *, bots: int, mode: str,
                     now: datetime) -> AsyncIterator[Stack]:
    """The server on loopback and ``bots`` bot processes answering it, until the block ends."""
    if mode == "polling" and bots != 1:
        raise ValueError("long polling takes exactly one bot process (Telegram refuses two)")
    ports = [free_port() for _ in range(bots)]
    backends = [f"http://{LOOPBACK}:{port}" for port in ports] if mode == "webhook" else []
    async with BotApiServer(world, webhook_backends=backends) as server:
        stack = Stack(server)
        try:
            for port in ports:
                stack.bots.append(start_bot(
                    _environment(engine, folder, server, world.token, mode, port), now))
            started = time.monotonic()
            await asyncio.wait_for(asyncio.gather(*(asyncio.to_thread(_wait_ready, bot)
                                                    for bot in stack.bots)),
                                   START_TIMEOUT_SECONDS)
            log(f"{bots} bot process(es) ready in {time.monotonic() - started:.1f} s ({mode})")
            yield stack
        finally:
            for bot in stack.bots:
                bot.terminate()
            for bot in stack.bots:
                try:
                    await asyncio.to_thread(bot.wait, 30)
                except subprocess.TimeoutExpired:
                    bot.kill()
                    await asyncio.to_thread(bot.wait)
                if bot.stdout is not None:
                    bot.stdout.close()
