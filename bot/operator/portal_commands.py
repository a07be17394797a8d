"""``cashback portal import FILE`` and ``cashback portal problems``: the portal transfer by hand.

The import prints what it did per company, then the rows the operator must look at: customer
numbers no enrolled company has (with the enrolled number one keystroke away, if any) and
unreadable rows. The problems stay stored with the import and can be listed again.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from bot.bootstrap import App
from bot.operator.commands import Output
from core.i18n import N_, Translator
from core.portal import Handling
from core.portal_export import RowDefect
from storage.services.portal import import_portal_export
from storage.services.portal_reports import PortalReport, ProblemRow, find_import

# The per-company counts, in the order a summary lists them.
COUNT_LABELS = {
    "pending_payment": N_("registered, payment pending"),
    "info_required": N_("registered, proof needed"),
    "ineligible": N_("ineligible"),
    "already_registered": N_("already registered"),
    "already_handled": N_("handled by an earlier export"),
    "manual_only": N_("to register manually (company told)"),
    "not_retroactive": N_("added before the customer number was entered"),
    "not_in_campaign": N_("not a campaign product"),
    "invalid": N_("commissioning date in the future"),
}
DEFECTS = {
    RowDefect.NOT_AN_OBJECT: N_("not a device record"),
    RowDefect.SERIAL_MISSING: N_("serial number missing"),
    RowDefect.PRODUCT_MISSING: N_("product missing"),
    RowDefect.ADDED_DATE_INVALID: N_("date the device was added missing or unreadable"),
    RowDefect.ENTERED_DATE_INVALID: N_("date the customer number was entered missing or "
                                       "unreadable"),
    RowDefect.COMMISSIONING_DATE_INVALID: N_("commissioning date unreadable"),
}


def add_portal_commands(command: Callable[..., argparse.ArgumentParser],
                        sub: argparse._SubParsersAction[argparse.ArgumentParser],
                        t: Translator) -> None:
    """Register ``portal import FILE`` and ``portal problems [--import ID]``."""
    _ = t.gettext
    portal = command("portal", None, _("the Sunny Portal's daily transfer"))
    portal_sub = portal.add_subparsers(dest="portal_command", required=True, metavar="ACTION")
    imp = command("import", portal_import, _("import a Sunny Portal export (CSV or JSON)"),
                  portal_sub)
    imp.add_argument("file", type=Path)
    problems = command("problems", portal_problems,
                       _("rows of an import with a wrong customer number or unreadable"),
                       portal_sub)
    problems.add_argument("--import", dest="import_id", type=int, metavar="ID",
                          help=_("which import (default: the latest)"))


def portal_import(app: App, args: argparse.Namespace, out: Output) -> int:
    """Import one export and print what it did."""
    with app.uow() as uow:
        report = import_portal_export(uow, campaigns=app.campaigns, data=args.file.read_bytes(),
                                      filename=args.file.name, actor=args.operator,
                                      now=app.clock())
    _print(report, out)
    return 0


def portal_problems(app: App, args: argparse.Namespace, out: Output) -> int:
    """List again what an import reported (the latest by default)."""
    with app.uow() as uow:
        report = find_import(uow.session, args.import_id)
    if out.as_json:
        out.data(_document(report))
        return 0
    when = report.created_at.strftime("%Y-%m-%d %H:%M")
    out.translated("Portal import #%(id)d (%(file)s, %(date)s UTC):", id=report.import_id,
                   file=report.filename, date=when)
    _problems(report, out)
    return 0


def _document(report: PortalReport) -> dict[str, object]:
    return {"import": report.import_id, "file": report.filename,
            "created_at": report.created_at, "first_processed_at": report.first_processed_at,
            "totals": report.totals,
            "companies": [asdict(company) for company in report.companies],
            "problems": [asdict(problem) for problem in report.problems]}


def _print(report: PortalReport, out: Output) -> None:
    if out.as_json:
        out.data(_document(report))
        return
    t = out.t
    if report.duplicate:
        assert report.first_processed_at is not None
        when = report.first_processed_at.strftime("%Y-%m-%d %H:%M")
        out.translated("This export was already imported on %(date)s UTC (import #%(id)d): "
                       "nothing changed. What it did then:", id=report.import_id, date=when)
    totals = report.totals
    out.translated("Portal export %(file)s: rows: %(rows)d; devices transferred: "
                   "%(transferred)d; companies: %(companies)d.", file=report.filename,
                   rows=totals.get("rows", 0), transferred=totals.get("transferred", 0),
                   companies=len(report.companies))
    for company in report.companies:
        counts = ", ".join(t.gettext("%(what)s: %(count)d") % {
            "what": t.gettext(label), "count": company.counts[key]}
            for key, label in COUNT_LABELS.items() if company.counts.get(key))
        out.translated("  %(number)s %(name)s: %(counts)s", number=company.customer_number,
                       name=company.name, counts=counts)
    if totals.get(Handling.NO_CUSTOMER_NUMBER.value):
        out.translated("Rows of portal users without a customer number (not transferred): "
                       "%(count)d.", count=totals[Handling.NO_CUSTOMER_NUMBER.value])
    _problems(report, out)


def _problems(report: PortalReport, out: Output) -> None:
    """Wrong customer numbers grouped by number and portal user; broken rows one by one."""
    if not report.problems:
        out.translated("No row with a wrong customer number or unreadable data.")
        return
    out.translated("To check (nothing was transferred for these rows):")
    groups: dict[tuple[str, str, str, str], list[ProblemRow]] = defaultdict(list)
    for problem in report.problems:
        if problem.handling != Handling.BROKEN.value:
            groups[(problem.handling, problem.customer_number, problem.portal_user,
                    problem.detail or "")].append(problem)
    t = out.t
    for (handling, number, user, suggestion), rows in groups.items():
        plants = ", ".join(sorted({r.plant for r in rows if r.plant})) or "-"
        if handling == Handling.MISTYPED_CUSTOMER_NUMBER.value:
            line = t.gettext("  customer number %(number)s of portal user %(user)s (plants: "
                             "%(plants)s; devices: %(count)d): no enrolled company; did you mean "
                             "%(suggestion)s?")
        else:
            line = t.gettext("  customer number %(number)s of portal user %(user)s (plants: "
                             "%(plants)s; devices: %(count)d): no enrolled company has it.")
        out.write(line % {"number": number, "user": user or "-", "plants": plants,
                          "count": len(rows), "suggestion": suggestion.replace(" ", ", ")})
    for problem in report.problems:
        if problem.handling == Handling.BROKEN.value:
            reason = DEFECTS.get(RowDefect(problem.detail)) if problem.detail in list(
                RowDefect) else None
            out.translated("  row %(row)d (serial %(serial)s): %(reason)s", row=problem.row_number,
                           serial=problem.serial or "-",
                           reason=t.gettext(reason) if reason else problem.detail or "?")
