"""Webhook delivery as Telegram does it, optionally spread over several bot processes.

Telegram POSTs each update to the webhook until it answers 2xx, keeping up to the webhook's
``max_connections`` requests in flight, and one user's updates in order. With ``backends``
the server also plays the load balancer in front of several bot processes: each delivery goes
to the next backend in turn (round robin), at the webhook URL's path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import aiohttp
from yarl import URL

from sandbox.botapi.world import JSON, Webhook, World

log = logging.getLogger("cashback.sandbox.botapi")
RETRY_SECONDS = 0.2
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def sender_of(update: JSON) -> int:
    """Whose update this is (user, else chat): one user's updates are delivered in order."""
    for value in update.values():
        if isinstance(value, dict):
            person = value.get("from") or value.get("chat") or {}
            if isinstance(person, dict) and "id" in person:
                return int(person["id"])
    return 0


class WebhookPusher:
    """Runs while the server runs; delivers ``world.pending`` whenever a webhook is set."""

    def __init__(self, world: World, backends: Sequence[str] = ()) -> None:
        self.world = world
        self.backends = [URL(backend) for backend in backends]
        self.delivered = 0
        self.routes: dict[int, str] = {}  # with backends: update_id -> the last one tried
        self._turn = 0
        self._in_flight: set[int] = set()
        self._busy: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Deliver until cancelled."""
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            try:
                while True:
                    hook = self.world.webhook
                    if hook is not None:
                        self._start_deliveries(session, hook)
                    await self.world.wait_changed(1.0)
            finally:
                for task in list(self._tasks):
                    task.cancel()
                for task in list(self._tasks):
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    def _start_deliveries(self, session: aiohttp.ClientSession, hook: Webhook) -> None:
        for update in self.world.pending:
            if len(self._in_flight) >= hook.max_connections:
                return
            who = sender_of(update)
            if update["update_id"] in self._in_flight or who in self._busy:
                continue
            self._in_flight.add(update["update_id"])
            self._busy.add(who)
            task = asyncio.create_task(self._deliver(session, hook, update, who))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _target(self, hook: Webhook) -> str:
        if not self.backends:
            return hook.url
        backend = self.backends[self._turn % len(self.backends)]
        self._turn += 1
        url = URL(hook.url)
        return str(backend.with_path(url.path).with_query(url.query))

    async def _deliver(self, session: aiohttp.ClientSession, hook: Webhook, update: JSON,
                       who: int) -> None:
        """POST one update until a 2xx, unless the webhook is changed meanwhile."""
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        try:
            while self.world.webhook is hook:
                target = self._target(hook)
                if self.backends:
                    self.routes[update["update_id"]] = target
                try:
                    async with session.post(target, json=update, headers=headers) as answer:
                        if 200 <= answer.status < 300:
                            self._forget(update)
                            self.delivered += 1
                            return
                except aiohttp.ClientError as error:
                    log.debug("webhook delivery failed: %s", error)
                await asyncio.sleep(RETRY_SECONDS)
        finally:
            self._in_flight.discard(update["update_id"])
            self._busy.discard(who)
            self.world.notify()

    def _forget(self, update: JSON) -> None:
        pending = self.world.pending
        for index, queued in enumerate(pending):
            if queued is update:
                del pending[index]
                return
