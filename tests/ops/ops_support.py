"""Helpers of the operations tests: a Bot API server in a thread, the test IMAP account."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bot.loop_thread import LoopThread
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import World

TESTS = Path(__file__).resolve().parents[1]
BOT_TOKEN = "123456:doctor-test-token"
IMAP_USER, IMAP_PASSWORD = "cashback", "imap-doctor-password"


class BotApiThread(LoopThread):
    """The sandbox's Bot API server in a thread, for code that runs its own event loop."""

    def __init__(self, token: str) -> None:
        super().__init__("botapi")
        self.server = BotApiServer(World(token=token))

    async def serve(self, stop: asyncio.Event) -> None:
        async with self.server:
            self.ready()
            await stop.wait()


@dataclass(frozen=True)
class ImapAccount:
    """Where the test IMAP server listens, and its login."""

    port: int
    user: str = IMAP_USER
    password: str = IMAP_PASSWORD
