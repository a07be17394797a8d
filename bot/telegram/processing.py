"""Updates of different users are handled at the same time; one user's, one after another.

A user who taps two buttons quickly must see them applied in order (their conversation state
is read and written by each), while a slow template import must not make everyone else wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.observability.updates import observed_update

MAX_CONCURRENT_UPDATES = 64


class PerUserOrder(BaseUpdateProcessor):
    """Concurrent across users, sequential per user; ``on_done`` hears of each handled update.

    ``on_done`` lets the local Bot API server know an update was handled completely, which is
    how tests wait for the bot without sleeping.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
                 on_done: Callable[[int], None] | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._on_done = on_done

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the same user's earlier updates, then handle this one."""
        key = _user_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                with observed_update(update):
                    await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                # Forget idle users so the table does not grow with every user ever seen.
                del self._waiting[key], self._locks[key]
            if self._on_done is not None and isinstance(update, Update):
                self._on_done(update.update_id)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _user_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0
