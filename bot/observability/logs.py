"""Logs: one JSON line per event in production, readable lines in development.

Every record carries the ids of what it is about (update, company, registration, serial) when
known, from ``extra=`` or from :func:`log_context`, and nothing personal beyond them: e-mail
addresses are masked in the message and the traceback, whoever wrote the log call.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

CONTEXT_FIELDS = ("update_id", "company_id", "registration_id", "serial", "outbox_id", "job")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MASK = "<e-mail>"
HANDLER_NAME = "cashback"

_context: ContextVar[dict[str, object] | None] = ContextVar("cashback_log_context", default=None)


def redact(text: str) -> str:
    """The text with every e-mail address masked."""
    return EMAIL.sub(MASK, text)


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Ids added to every record logged inside the block.

    Tasks and threads started with a copy of the context (as ``asyncio.to_thread`` does)
    carry them too.
    """
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: object) -> None:
    """Add ids to the current context until it ends (one update's task, for instance)."""
    _context.set({**(_context.get() or {}), **fields})


def _with_context(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        # Kept apart: ``extra=`` may name the same ids (and then wins, see _fields).
        record.cashback_context = _context.get() or {}
        return record

    make.cashback_context = True  # type: ignore[attr-defined]
    return make


def install_context_ids() -> None:
    """Give every log record the ids of :func:`log_context`, whichever handler writes it."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "cashback_context", False):
        logging.setLogRecordFactory(_with_context(factory))


def _fields(record: logging.LogRecord) -> dict[str, object]:
    context: dict[str, object] = getattr(record, "cashback_context", {})
    found = {}
    for key in CONTEXT_FIELDS:
        value = getattr(record, key, None)
        if value is None:
            value = context.get(key)
        if value is not None:
            found[key] = value
    return found


def context_ids(record: logging.LogRecord) -> dict[str, object]:
    """The ids a record carries, from ``extra=`` or from :func:`log_context`."""
    return _fields(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the ids, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            **_fields(record),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a person at a terminal: time, level, logger, message, then the ids as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record as readable text (tracebacks on the following lines)."""
        line = redact(super().format(record))
        ids = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        if not ids:
            return line
        first, newline, rest = line.partition("\n")
        return f"{first} [{ids}]{newline}{rest}"


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (tests and embedding programs swap it)."""

    @property
    def stream(self) -> TextIO:
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure_logging(*, level: str, json_lines: bool) -> None:
    """Send every log record to stderr in the chosen format (replaces our earlier handler)."""
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for old in root.handlers[:]:
        if old.get_name() == HANDLER_NAME:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    install_context_ids()
    logging.getLogger("alembic").setLevel(logging.WARNING)
