"""What one check of ``cashback doctor`` found: a catalog message, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from core.i18n import Translator


class Level(StrEnum):
    """``problem`` makes the doctor fail; ``warning`` is worth reading; ``ok`` is fine."""

    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True)
class Finding:
    """One result; ``message`` and ``fix`` are msgids with ``%(name)s`` fields."""

    check: str
    level: Level
    message: str
    fix: str | None = None
    fields: dict[str, object] = field(default_factory=dict)

    def text(self, t: Translator) -> str:
        """The message in the reader's language."""
        return t.gettext(self.message) % self.fields if self.fields else t.gettext(self.message)

    def fix_text(self, t: Translator) -> str | None:
        """How to fix it, in the reader's language."""
        if self.fix is None:
            return None
        return t.gettext(self.fix) % self.fields if self.fields else t.gettext(self.fix)


def error_text(error: BaseException) -> str:
    """An exception as one short line: its type and message."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}"[:300] if message else type(error).__name__
