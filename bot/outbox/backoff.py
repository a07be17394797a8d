"""When to try again after a temporary failure: exponential backoff with jitter, capped.

Exponential so a server that is down for hours is not hammered; capped so a message is not
left waiting for days once the server is back; jittered so the rows that failed together
(the SMTP server went down under all of them) do not all come back in the same second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """Delays between attempts and when to give up.

    With the defaults the delays are about 30 s, 1, 2, 4 ... minutes, then one hour at most;
    after 40 attempts (about 1.5 days of outage) the row is declared dead, visible in
    ``cashback outbox list`` and put back with ``cashback outbox retry``.
    """

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 40
    # "Equal jitter": half the delay is fixed, half random, so retries never come too soon.
    jitter: float = 0.5
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1 for the first failure)."""
        exponent = min(max(attempts - 1, 0), 32)
        full = min(self.cap, self.base * (1 << exponent))
        return full * (1 - self.jitter) + full * self.jitter * self.rng.random()

    def exhausted(self, attempts: int) -> bool:
        """Whether ``attempts`` tries are enough to stop trying on our own."""
        return attempts >= self.max_attempts
