"""Only the Telegram bot, in a process of its own, as benchmarks and tests start it.

With PostgreSQL several such processes run side by side behind the webhook (a load balancer
in front of them): each reads the user's conversation from the database at every update, so
any of them can answer any update. In production ``cashback run --only bot`` does the same
with the rest of the runner's care; this is the bare bot, which prints :data:`READY` once it
receives updates and can run on a fixed clock. Settings come from the environment, as for
``cashback run``; a local Bot API server is reached through ``TELEGRAM_BASE_URL``.

    python -m bot.telegram.bot_process [--frozen-clock ISO]   # until SIGTERM or Ctrl+C
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from datetime import datetime

from bot.bootstrap import App, Clock, bootstrap, utc_now
from bot.i18n import translator
from bot.settings import Settings
from bot.telegram.application import Endpoint, build_application
from bot.telegram.serve import running, webhook_from_settings
from core.i18n import N_, LocalizedError

READY = "bot ready"


NO_TOKEN = N_("The bot alone needs TELEGRAM_BOT_TOKEN (and TELEGRAM_BASE_URL for a local Bot "
              "API server); the sandbox starts with `cashback run`.")


class NoBotToken(LocalizedError):
    """The bot cannot run alone without a token: only ``cashback run`` makes a sandbox."""


async def serve_bot(app: App, stop: asyncio.Event,
                    ready: Callable[[], None] | None = None) -> None:
    """Answer updates (webhook or long polling, as the settings say) until ``stop`` is set."""
    settings = app.settings
    if settings.telegram_bot_token is None:
        raise NoBotToken(NO_TOKEN)
    endpoint = Endpoint(settings.telegram_base_url, settings.telegram_base_file_url)
    application = build_application(app, settings.telegram_bot_token, endpoint=endpoint)
    async with running(application, webhook_from_settings(settings)):
        if ready is not None:
            ready()
        await stop.wait()


def run_bot(app: App) -> None:
    """Serve until SIGTERM or SIGINT; prints :data:`READY` once updates are being received."""
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, stop.set)
        await serve_bot(app, stop, ready=lambda: print(READY, flush=True))

    asyncio.run(main())


def _frozen(moment: datetime) -> Clock:
    return lambda: moment


def main(argv: list[str] | None = None) -> None:
    """The bot alone, configured by the environment."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frozen-clock", type=datetime.fromisoformat, default=None,
                        help="benchmarks and tests only: this aware time is always 'now'")
    args = parser.parse_args(argv)
    settings = Settings()
    if settings.telegram_bot_token is None:
        print(translator(settings.default_language).gettext(NO_TOKEN), file=sys.stderr)
        raise SystemExit(2)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    clock = utc_now if args.frozen_clock is None else _frozen(args.frozen_clock)
    app = bootstrap(settings, clock=clock)
    try:
        run_bot(app)
    finally:
        app.engine.dispose()


if __name__ == "__main__":
    main()
