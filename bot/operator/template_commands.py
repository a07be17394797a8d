"""``cashback template`` and ``cashback import-template``: the bulk template from the shell."""

from __future__ import annotations

import argparse

from bot.bootstrap import App
from bot.operator.commands import Output
from bot.render import import_row_lines, import_summary_text
from core.i18n import N_, LocalizedError
from core.statuses import Channel
from core.template import Limits, build_result_workbook, build_template
from storage.services.imports import import_template
from storage.services.lookup import company_by_number


class FileTooLarge(LocalizedError):
    """Refused before reading: the file is bigger than the upload limit."""


def template(app: App, args: argparse.Namespace, out: Output) -> int:
    """Write the campaign's blank template in the chosen language."""
    campaign = app.campaign(args.campaign)
    args.output.write_bytes(build_template(campaign, out.language, out.t, _limits(app)))
    out.translated("Template written to %(file)s.", file=args.output)
    return 0


def import_file(app: App, args: argparse.Namespace, out: Output) -> int:
    """Import a filled-in template for a company and report row by row."""
    limits = _limits(app)
    size = args.file.stat().st_size
    if size > limits.max_bytes:
        raise FileTooLarge(N_("The file is too large: at most %(limit)s MB."),
                           limit=limits.max_bytes // (1024 * 1024))
    with app.uow() as uow:
        campaign = app.campaign(company_by_number(uow.session, args.company).campaign_code)
    with app.uow() as uow:
        report = import_template(uow, campaign=campaign, customer_number=args.company,
                                 data=args.file.read_bytes(), filename=args.file.name,
                                 channel=Channel.TEMPLATE, actor=args.operator, now=app.clock(),
                                 limits=limits)
    if args.output is not None and report.read is not None:
        args.output.write_bytes(build_result_workbook(report.read, report.results, campaign,
                                                      out.language, out.t))
    if out.as_json:
        out.data({
            "file": report.filename, "batch": report.batch_id,
            "first_processed_at": report.first_processed_at, "counts": report.counts,
            "amount": str(report.amount),
            "rows": [{"row": r.row_number, "serial": r.serial, "mark": r.mark.value,
                      "status": getattr(r.outcome, "status", None),
                      "reason": getattr(r.outcome, "reason", None) or (
                          None if hasattr(r.outcome, "status") else r.outcome),
                      "suggestions": list(getattr(r.outcome, "suggestions", ()))}
                     for r in report.results],
        })
        return 0
    out.write(import_summary_text(report, campaign, out.t, out.language))
    for line in import_row_lines(report, campaign, out.t, out.language):
        out.write(line)
    if args.output is not None and report.read is not None:
        out.translated("Result workbook written to %(file)s.", file=args.output)
    return 0


def _limits(app: App) -> Limits:
    return Limits(max_rows=app.settings.template_max_rows,
                  max_bytes=app.settings.template_max_bytes)

