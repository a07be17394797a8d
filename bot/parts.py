"""The parts of ``cashback run`` and the ``--only`` option that picks some of them.

One process runs everything by default. An operator who wants more of one kind (two outbox
workers, a reply poller on another machine) starts ``cashback run --only outbox`` and so on:
each part is safe beside copies of itself on PostgreSQL (outbox rows claimed under a lease,
replies recorded once per Message-ID, scheduled jobs claimed once per period).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from core.i18n import Translator

BOT, MAIL, OUTBOX, JOBS = "bot", "mail", "outbox", "jobs"
PARTS = (BOT, MAIL, OUTBOX, JOBS)


def add_run_options(run: argparse.ArgumentParser, t: Translator) -> None:
    """``--once`` and ``--only PART[,PART]`` (repeatable) on ``cashback run``."""
    _ = t.gettext

    def parts_argument(value: str) -> list[str]:
        chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
        unknown = [part for part in chosen if part not in PARTS]
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(
                _("%(value)s: choose among %(parts)s (several: --only bot,jobs or --only bot "
                  "--only jobs)") % {"value": value, "parts": ", ".join(PARTS)})
        return chosen

    run.add_argument("--once", action="store_true",
                     help=_("handle what is waiting now (scheduled jobs, replies, "
                            "notifications) and exit"))
    run.add_argument("--only", action="append", type=parts_argument, metavar="PART",
                     help=_("run only these parts: bot (the Telegram channel), mail (the reply "
                            "poller), outbox (sending notifications), jobs (deadlines and "
                            "reminders); default: all of them"))


def chosen_parts(only: Iterable[list[str]] | None) -> frozenset[str]:
    """The parts ``--only`` named (every part when it was not given)."""
    if not only:
        return frozenset(PARTS)
    return frozenset(part for group in only for part in group)
