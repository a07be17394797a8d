"""``cashback doctor``: every check, each with what is wrong and how to fix it."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.operator.commands import Output
from bot.ops.findings import Finding, Level
from bot.ops.local_checks import (
    campaigns_finding,
    database_finding,
    documents_finding,
    settings_findings,
)
from bot.ops.remote_checks import imap_finding, smtp_finding, telegram_finding
from bot.settings import Settings
from core.i18n import N_

CHECKS: tuple[Callable[[Settings], Finding | list[Finding]], ...] = (
    settings_findings, database_finding, campaigns_finding, documents_finding, smtp_finding,
    imap_finding, telegram_finding)
TITLES = {"settings": N_("Settings"), "database": N_("Database"), "campaigns": N_("Campaigns"),
          "documents": N_("Documents"), "smtp": N_("Outgoing e-mail (SMTP)"),
          "imap": N_("Replies (IMAP)"), "telegram": N_("Telegram")}
MARKS = {Level.OK: "OK", Level.WARNING: "!!", Level.PROBLEM: "XX"}


def examine(settings: Settings) -> list[Finding]:
    """Run every check in order; a check never stops the others."""
    found: list[Finding] = []
    for check in CHECKS:
        result = check(settings)
        found.extend(result if isinstance(result, list) else [result])
    return found


def doctor(settings: Settings, args: argparse.Namespace, out: Output) -> int:
    """Print the findings (or JSON); exit 1 when something must be fixed."""
    findings = examine(settings)
    t = out.t
    if out.as_json:
        out.data([{"check": f.check, "level": f.level.value, "message": f.text(t),
                   "fix": f.fix_text(t)} for f in findings])
    else:
        for finding in findings:
            out.write(f"[{MARKS[finding.level]}] {t.gettext(TITLES[finding.check])}: "
                      f"{finding.text(t)}")
            fix = finding.fix_text(t)
            if fix and finding.level is not Level.OK:
                out.write("     " + t.gettext("How to fix: %(fix)s") % {"fix": fix})
        problems = sum(f.level is Level.PROBLEM for f in findings)
        if problems:
            out.write(t.ngettext("%(count)d problem to fix.", "%(count)d problems to fix.",
                                 problems) % {"count": problems})
        else:
            out.write(t.gettext("Nothing to fix."))
    return 1 if any(f.level is Level.PROBLEM for f in findings) else 0
