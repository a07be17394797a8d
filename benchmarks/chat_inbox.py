"""What the bot sent to each simulated user, and waiting for it without waking everyone.

``World.wait_changed`` wakes every waiter at every change: fine for a test with one person,
but with hundreds of simulated users each answer would wake all of them (the load driver would
spend its CPU on wake-ups and be measured as part of the stack). One collector reads the
world's outputs and wakes only the user whose chat got something.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sandbox.botapi.world import BotOutput, World


class Inbox:
    """Every bot output per chat, in order; :meth:`wait` for the n-th one."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.outputs: dict[int, list[BotOutput]] = {}
        self._events: dict[int, asyncio.Event] = {}
        self._seen = len(world.outputs)

    def _event(self, chat_id: int) -> asyncio.Event:
        return self._events.setdefault(chat_id, asyncio.Event())

    async def collect(self) -> None:
        """Sort new outputs into their chats until cancelled."""
        while True:
            await self.world.wait_changed(5.0)
            new = self.world.outputs[self._seen:]
            self._seen += len(new)
            for output in new:
                self.outputs.setdefault(output.chat_id, []).append(output)
                self._event(output.chat_id).set()

    def count(self, chat_id: int) -> int:
        """How many outputs the chat has had so far."""
        return len(self.outputs.get(chat_id, ()))

    async def wait(self, chat_id: int, count: int) -> list[BotOutput]:
        """Until the chat has had ``count`` outputs; returns them all."""
        event = self._event(chat_id)
        while self.count(chat_id) < count:
            event.clear()
            await event.wait()
        return self.outputs[chat_id]


@asynccontextmanager
async def collecting(world: World) -> AsyncIterator[Inbox]:
    """An inbox filled while the block runs."""
    inbox = Inbox(world)
    task = asyncio.create_task(inbox.collect())
    try:
        yield inbox
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
