"""Per-user throttling of incoming messages: a flood from one user must not starve the rest.

A sliding window per user in process memory: throttling protects this process's resources,
so it needs no shared state; with several processes each one protects itself.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum


class Decision(Enum):
    """What to do with one incoming update."""

    ALLOW = "allow"
    WARN = "warn"  # the first one over the limit: say so once
    DROP = "drop"


class Throttle:
    """At most ``limit`` updates per user in any ``window`` seconds."""

    def __init__(self, limit: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def check(self, user_id: int) -> Decision:
        """Count one update from ``user_id`` and decide."""
        now = self.clock()
        if len(self._seen) > 10_000:
            self._forget_idle(now)
        times = self._seen.setdefault(user_id, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return Decision.ALLOW
        warned = self._warned.get(user_id)
        if warned is not None and warned > now - self.window:
            return Decision.DROP
        self._warned[user_id] = now
        return Decision.WARN

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, t in self._seen.items() if not t or t[-1] <= now - self.window]:
            del self._seen[user_id]
            self._warned.pop(user_id, None)
