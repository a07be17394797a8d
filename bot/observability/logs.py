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
from collections.abc import Iterator
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


class ContextFilter(logging.Filter):
    """Copies the context's ids onto each record (``extra=`` given at the call wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record."""
        for key, value in (_context.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {key: getattr(record, key) for key in CONTEXT_FIELDS
            if getattr(record, key, None) is not None}


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
    handler.addFilter(ContextFilter())
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for old in root.handlers[:]:
        if old.get_name() == HANDLER_NAME:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
