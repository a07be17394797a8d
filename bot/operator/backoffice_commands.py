"""``cashback review …`` and ``cashback report``: the operator's review queue and the report.

``review approve|reject`` are the top-level ``approve``/``reject`` commands under the name the
back office uses; ``review ask`` opens a new information request with its own deadline.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from bot.bootstrap import App
from bot.operator import commands
from bot.operator.commands import Output
from bot.operator_chat.notice import document_line
from bot.render import cents, product_name
from core.i18n import Translator, day
from core.information_requests import DocumentKind
from core.report import build_report
from core.statuses import Status
from core.wording import documents_text, status_name
from storage.services import review
from storage.services.reports import report_data
from storage.services.review_queue import ReviewItem, review_item, under_review


def add_backoffice_commands(command: Callable[..., argparse.ArgumentParser],
                            sub: argparse._SubParsersAction[argparse.ArgumentParser],
                            t: Translator) -> None:
    """Register ``review list|show|approve|reject|ask`` and ``report``."""
    _ = t.gettext

    def kinds(value: str) -> tuple[DocumentKind, ...]:
        try:
            return tuple(DocumentKind(v.strip()) for v in value.split(",") if v.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(_("%(value)s: use %(kinds)s") % {
                "value": value, "kinds": ",".join(k.value for k in DocumentKind)}) from None

    def positive(value: str) -> int:
        if not value.isdigit() or int(value) < 1:
            raise argparse.ArgumentTypeError(_("%(value)s: a number of days, 1 or more")
                                             % {"value": value})
        return int(value)

    queue = command("review", None, _("registrations under review and their documents"))
    queue_sub = queue.add_subparsers(dest="review_command", required=True, metavar="ACTION")
    listing = command("list", review_list, _("registrations under review, oldest first"),
                      queue_sub)
    listing.add_argument("--campaign")
    show = command("show", review_show, _("one registration's documents"), queue_sub)
    show.add_argument("serial")
    show.add_argument("--campaign")
    approve = command("approve", commands.approve, _("accept a registration under review"),
                      queue_sub)
    approve.add_argument("serial")
    approve.add_argument("--campaign")
    reject = command("reject", commands.reject, _("reject a registration under review"),
                     queue_sub)
    reject.add_argument("serial")
    reject.add_argument("--reason", required=True, help=_("shown to the company"))
    reject.add_argument("--campaign")
    ask = command("ask", review_ask, _("ask for more documents (a new information request)"),
                  queue_sub)
    ask.add_argument("serial")
    ask.add_argument("--what", required=True, type=kinds,
                     help=_("documents, comma-separated: %(kinds)s")
                     % {"kinds": ",".join(k.value for k in DocumentKind)})
    ask.add_argument("--days", type=positive, help=_("days to answer (default: the campaign's)"))
    ask.add_argument("--note", help=_("shown to the company"))
    ask.add_argument("--campaign")
    report = command("report", write_report, _("write the campaign's report workbook"))
    report.add_argument("--campaign", required=True)
    report.add_argument("-o", "--output", required=True, type=Path,
                        help=_("file to write (.xlsx)"))


def review_list(app: App, args: argparse.Namespace, out: Output) -> int:
    """Registrations under review, the one waiting longest first, with their documents."""
    campaign_code = app.campaign(args.campaign).code if args.campaign else None
    with app.uow() as uow:
        items = under_review(uow.session, app.documents, campaign_code=campaign_code)
    if out.as_json:
        out.data([_item_data(item) for item in items])
        return 0
    if not items:
        out.translated("No registration is under review.")
    for item in items:
        _write_item(app, item, out, paths=False)
    return 0


def review_show(app: App, args: argparse.Namespace, out: Output) -> int:
    """One registration with every document it received (paths, types, sizes, senders)."""
    with app.uow() as uow:
        campaign_code = args.campaign or commands._campaign_of(uow.session, args.serial, app)
        item = review_item(uow.session, app.documents, campaign_code=campaign_code,
                           serial=args.serial)
    if out.as_json:
        out.data(_item_data(item))
    else:
        _write_item(app, item, out, paths=True)
    return 0


def review_ask(app: App, args: argparse.Namespace, out: Output) -> int:
    """A new information request for a registration under review."""
    with app.uow() as uow:
        campaign = app.campaign(args.campaign or commands._campaign_of(uow.session, args.serial,
                                                                       app))
    with app.uow() as uow:
        change = review.ask_information(uow, campaign=campaign, serial=args.serial,
                                        documents=args.what, days=args.days, note=args.note,
                                        operator=args.operator, now=app.clock())
    if out.as_json:
        out.data({"serial": change.serial, "status": change.to_status, "due_on": change.due_on,
                  "reference": change.reference})
        return 0
    assert change.due_on is not None
    out.translated("%(serial)s: %(status)s – %(documents)s by %(day)s (reference %(reference)s)",
                   serial=change.serial, status=status_name(Status(change.to_status), out.t),
                   documents=documents_text(args.what, out.t),
                   day=day(change.due_on, out.language), reference=change.reference)
    return 0


def write_report(app: App, args: argparse.Namespace, out: Output) -> int:
    """The campaign's report workbook in the ``--lang`` language."""
    campaign = app.campaign(args.campaign)
    with app.uow() as uow:
        data = report_data(uow.session, campaign)
    args.output.write_bytes(build_report(data, campaign, out.language, out.t))
    if out.as_json:
        out.data({"file": str(args.output), "companies": len(data.companies),
                  "open_requests": len(data.requests), "events": len(data.audit)})
    else:
        out.translated("Report written to %(file)s: %(companies)d companies, %(requests)d open "
                       "requests, %(events)d audit events.", file=args.output,
                       companies=len(data.companies), requests=len(data.requests),
                       events=len(data.audit))
    return 0


def _write_item(app: App, item: ReviewItem, out: Output, *, paths: bool) -> None:
    campaign = app.campaign(item.campaign_code)
    out.write(f"{item.serial} · {product_name(campaign, item.product_code, out.language)} · "
              f"{item.company_name} ({item.customer_number}) · {item.campaign_code}")
    out.translated("  %(status)s since %(day)s %(time)s UTC, registration id %(id)d",
                   status=status_name(Status(item.status), out.t),
                   day=day(item.since.date(), out.language), time=f"{item.since:%H:%M}",
                   id=item.registration_id)
    for document in item.documents:
        out.write("  " + document_line(document, out.t, out.language))
        if paths:
            out.write(f"     {document.path}")


def _item_data(item: ReviewItem) -> dict[str, object]:
    return {
        "registration_id": item.registration_id, "campaign": item.campaign_code,
        "serial": item.serial, "product": item.product_code, "status": item.status,
        "company": item.customer_number, "company_name": item.company_name,
        "since": item.since, "amount": str(cents(item.amount_cents)),
        "documents": [{"filename": d.filename, "content_type": d.content_type, "size": d.size,
                       "sender": d.sender, "channel": d.channel, "received_at": d.received_at,
                       "path": d.path} for d in item.documents],
    }
