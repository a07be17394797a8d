"""One Telegram update observed: its id on every log line, counted by kind and outcome."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from telegram import Update

from bot.observability.logs import log_context
from bot.observability.metrics import UPDATES

# The commands the bot knows; anything else typed after a slash counts as "command:other",
# so a user cannot invent label values.
KNOWN_COMMANDS = frozenset({"start", "help", "cancel", "language", "notifications", "link",
                            "unlink", "register", "status", "template"})

_failed: ContextVar[list[bool] | None] = ContextVar("cashback_update_failed", default=None)


def update_kind(update: object) -> str:
    """A small, fixed set of names: command:NAME, button, text, file, other."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "button"
    message = update.effective_message
    if message is None:
        return "other"
    if message.text and message.text.startswith("/"):
        name = message.text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() \
            if len(message.text) > 1 else ""
        return f"command:{name if name in KNOWN_COMMANDS else 'other'}"
    if message.document is not None or message.photo:
        return "file"
    return "text" if message.text else "other"


@contextmanager
def observed_update(update: object) -> Iterator[None]:
    """Log lines inside carry the update id; the update is counted when the block ends."""
    failed: list[bool] = []
    token = _failed.set(failed)
    update_id = update.update_id if isinstance(update, Update) else None
    try:
        with log_context(update_id=update_id):
            yield
    except BaseException:
        failed.append(True)
        raise
    finally:
        _failed.reset(token)
        UPDATES.labels(kind=update_kind(update), outcome="error" if failed else "ok").inc()


def update_failed() -> None:
    """The error handler's word that the update being handled failed."""
    failed = _failed.get()
    if failed is not None:
        failed.append(True)
