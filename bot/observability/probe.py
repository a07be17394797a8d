"""The container's health check: ``python -m bot.observability.probe``.

Exits 0 when the assistant's ``/healthz`` on this machine answers 200, 1 otherwise.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from bot.settings import Settings

TIMEOUT_SECONDS = 4.0


def healthy(port: int, host: str = "127.0.0.1") -> bool:
    """Whether ``/healthz`` on ``host:port`` answers 200."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz",  # noqa: S310 - loopback
                                    timeout=TIMEOUT_SECONDS) as answer:
            return int(answer.status) == 200
    except (OSError, urllib.error.URLError):
        return False


def main() -> int:
    """Probe the port the settings name; without one there is nothing to ask."""
    port = Settings().metrics_port
    if not port:
        print("CASHBACK_METRICS_PORT is not set: no health endpoint to probe", file=sys.stderr)
        return 1
    return 0 if healthy(port) else 1


if __name__ == "__main__":
    raise SystemExit(main())
