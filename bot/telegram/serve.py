"""Running the Telegram application: long polling or a webhook, started and stopped cleanly.

We drive PTB's lifecycle ourselves (initialize, updater, start ... stop, shutdown) instead of
``run_polling``, because the assistant runs other work (scheduled jobs, the outbox, the sandbox
server) in the same event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from urllib.parse import urlparse

from telegram import Update

from bot.settings import Settings
from bot.telegram.application import BotApplication, publish_commands
from bot.telegram.webhook import WebhookReceiver, WebhookServer

__all__ = ["WebhookServer", "running", "start", "stop", "webhook_from_settings"]

POLL_TIMEOUT_SECONDS = 10
RECEIVER = "webhook_receiver"  # bot_data key of the running WebhookReceiver


def webhook_from_settings(settings: Settings) -> WebhookServer | None:
    """The webhook the settings ask for (never in the sandbox, which makes its own)."""
    if settings.telegram_mode != "webhook" or settings.sandbox:
        return None
    assert settings.telegram_webhook_url is not None
    assert settings.telegram_webhook_secret is not None
    return WebhookServer(settings.telegram_webhook_listen, settings.telegram_webhook_port,
                         urlparse(settings.telegram_webhook_url).path.lstrip("/"),
                         settings.telegram_webhook_url, settings.telegram_webhook_secret)


async def start(application: BotApplication, webhook: WebhookServer | None = None) -> None:
    """Connect, publish the command menu, and start receiving updates."""
    await application.initialize()
    await publish_commands(application)
    updater = application.updater
    assert updater is not None
    if webhook is None:
        # Also deletes any webhook left behind, as Telegram requires for getUpdates.
        await updater.start_polling(poll_interval=0.0, timeout=POLL_TIMEOUT_SECONDS,
                                    allowed_updates=Update.ALL_TYPES)
    else:
        receiver = WebhookReceiver(application, webhook)
        application.bot_data[RECEIVER] = receiver
        await receiver.start()
    await application.start()


async def stop(application: BotApplication) -> None:
    """Stop receiving, finish what is being handled, disconnect."""
    updater = application.updater
    if updater is not None and updater.running:
        await updater.stop()
    receiver = application.bot_data.pop(RECEIVER, None)
    if isinstance(receiver, WebhookReceiver):
        await receiver.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    threads = application.bot_data.get("database_threads")
    if isinstance(threads, Executor):
        threads.shutdown(wait=True)


@asynccontextmanager
async def running(application: BotApplication,
                  webhook: WebhookServer | None = None) -> AsyncIterator[BotApplication]:
    """Start the bot for the duration of an ``async with`` block."""
    await start(application, webhook)
    try:
        yield application
    finally:
        await stop(application)
