"""Status in chat: the company's summary with open requests first, device pages, one serial."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Update

from bot.render import cents, history_text, product_name, request_text, summary_text
from bot.telegram.turn import Buttons, Context, Turn
from core.amounts import Summary
from core.i18n import day, money
from core.statuses import Status
from core.wording import documents_text, status_name
from storage.services.lookup import NotFound, registration_by_serial
from storage.services.open_requests import (
    OpenRequest,
    company_open_requests,
    open_request_for_serial,
)
from storage.services.queries import (
    HistoryEntry,
    company_registrations,
    company_summary,
    history,
)
from storage.tables import Registration

PAGE_SIZE = 10
SHOWN_REQUESTS = 5
LIST = "sl:"
SUMMARY = "ss"
DOCUMENTS = "doc:"  # handled in bot/handlers/documents.py
_LIST_DATA = re.compile(r"sl:([a-z_]+):(\d{1,7})")
ICONS = {Status.PENDING_PAYMENT: "🟢", Status.INFO_REQUIRED: "🟠", Status.UNDER_REVIEW: "🔵",
         Status.PAID: "💶", Status.INELIGIBLE: "⛔"}
ORDER = (Status.INFO_REQUIRED, Status.UNDER_REVIEW, Status.PENDING_PAYMENT, Status.PAID,
         Status.INELIGIBLE)


@dataclass(frozen=True)
class Overview:
    """What the summary message shows."""

    summary: Summary
    requests: list[OpenRequest]


async def status(update: Update, context: Context) -> None:
    """``/status`` for the summary, ``/status SERIAL`` for one device's history."""
    turn = await Turn.begin(update, context)
    if not await turn.require_company():
        return
    if context.args:
        await detail(turn, "".join(context.args))
    else:
        await overview(turn)


async def overview(turn: Turn) -> None:
    """Open information requests first, then counts and amounts, with list buttons."""
    t, language, campaign = turn.t, turn.language, turn.campaign
    assert turn.company is not None
    seen = await turn.db(_overview, turn)
    lines = [f"📊 {turn.company.name}"]
    buttons: list[list[tuple[str, str]]] = []
    if seen.requests:
        lines.append("\n" + t.gettext("Documents needed:"))
        for request in seen.requests[:SHOWN_REQUESTS]:
            lines.append(t.gettext("🟠 %(serial)s – %(product)s: %(documents)s, by %(date)s") % {
                "serial": request.serial,
                "product": product_name(campaign, request.product_code, language),
                "documents": documents_text(request.documents, t),
                "date": day(request.due_on, language)})
            buttons.append([(t.gettext("📎 Send documents for %(serial)s")
                             % {"serial": request.serial}, DOCUMENTS + request.serial)])
        if len(seen.requests) > SHOWN_REQUESTS:
            more = len(seen.requests) - SHOWN_REQUESTS
            lines.append(t.ngettext("…and %(count)d more.", "…and %(count)d more.", more)
                         % {"count": more})
        lines.append("")
    lines.append(summary_text(seen.summary, campaign, t, language))
    if seen.summary.count:
        buttons.append([(t.gettext("All devices (%(count)d)") % {"count": seen.summary.count},
                         f"{LIST}all:0")])
        buttons += [[(f"{ICONS[s]} {status_name(s, t)} ({seen.summary.total(s).count})",
                      f"{LIST}{s.value}:0")] for s in ORDER if seen.summary.total(s).count]
    await turn.show("\n".join(lines), buttons)


async def summary_tapped(update: Update, context: Context) -> None:
    """Back to the summary from a device page."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    if await turn.require_company():
        await overview(turn)


async def page_tapped(update: Update, context: Context) -> None:
    """A device page, optionally filtered by status, with previous/next buttons."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    if not await turn.require_company():
        return
    assert update.callback_query is not None
    match = _LIST_DATA.fullmatch(str(update.callback_query.data))
    if match is None or (match[1] != "all" and match[1] not in Status.__members__.values()):
        return
    wanted = None if match[1] == "all" else Status(match[1])
    offset = int(match[2])
    summary, rows = await turn.db(_page, turn, wanted, offset)
    total = summary.total(wanted).count if wanted else summary.count
    await turn.show(_page_text(turn, wanted, offset, total, rows[:PAGE_SIZE]),
                    _page_buttons(turn, match[1], offset, len(rows) > PAGE_SIZE))


def _page_text(turn: Turn, wanted: Status | None, offset: int, total: int,
               rows: list[Registration]) -> str:
    t, language, campaign = turn.t, turn.language, turn.campaign
    if not rows:
        return t.gettext("No devices here.")
    header = t.gettext("Devices %(first)d–%(last)d of %(total)d") % {
        "first": offset + 1, "last": offset + len(rows), "total": total}
    if wanted is not None:
        header += f"\n{ICONS[wanted]} {status_name(wanted, t)}"
    lines = [header, ""]
    for row in rows:
        status_ = Status(row.status)
        product = product_name(campaign, row.product_code, language)
        line = f"{ICONS[status_]} {row.serial} · {product}"
        if status_ is not Status.INELIGIBLE:
            line += f" · {money(cents(row.amount_cents), campaign.currency, language)}"
        lines.append(line)
    if wanted is None:
        shown = [s for s in ORDER if any(r.status == s.value for r in rows)]
        lines += [""] + [f"{ICONS[s]} {status_name(s, t)}" for s in shown]
    lines += ["", t.gettext("One device's history: /status SERIAL")]
    return "\n".join(lines)


def _page_buttons(turn: Turn, wanted: str, offset: int, more: bool) -> Buttons:
    t = turn.t
    paging = []
    if offset > 0:
        paging.append(("◀", f"{LIST}{wanted}:{max(0, offset - PAGE_SIZE)}"))
    if more:
        paging.append(("▶", f"{LIST}{wanted}:{offset + PAGE_SIZE}"))
    return [paging, [(t.gettext("« Summary"), SUMMARY)]]


async def detail(turn: Turn, serial: str) -> None:
    """One serial: its current status, amount, open request and history."""
    t, language, campaign = turn.t, turn.language, turn.campaign
    found = await turn.db(_detail, turn, serial)
    if found is None:
        await turn.reply(t.gettext("Your company has no registration of serial number "
                                 "%(serial)s.") % {"serial": serial[:40]})
        return
    registration, entries, request = found
    product = product_name(campaign, registration.product_code, language)
    current = Status(registration.status)
    lines = [f"{ICONS[current]} {status_name(current, t)}"]
    if current is not Status.INELIGIBLE:
        lines.append(t.gettext("Cashback: %(amount)s") % {
            "amount": money(cents(registration.amount_cents), campaign.currency, language)})
    buttons: list[list[tuple[str, str]]] = []
    if request is not None:
        lines.append(request_text(documents_text(request.documents, t), request.due_on,
                                  request.reference, t, language))
        buttons.append([(t.gettext("📎 Send documents"), DOCUMENTS + registration.serial)])
    lines += ["", history_text(registration.serial, product, entries, t, language)]
    await turn.reply("\n".join(lines), buttons)


def _overview(turn: Turn) -> Overview:
    assert turn.company is not None
    with turn.app.uow(read_only=True) as uow:
        return Overview(company_summary(uow.session, turn.company.id),
                        company_open_requests(uow.session, turn.company.id))


def _page(turn: Turn, wanted: Status | None,
          offset: int) -> tuple[Summary, list[Registration]]:
    assert turn.company is not None
    with turn.app.uow(read_only=True) as uow:
        return (company_summary(uow.session, turn.company.id),
                company_registrations(uow.session, turn.company.id, status=wanted,
                                      offset=offset, limit=PAGE_SIZE + 1))


Detail = tuple[Registration, list[HistoryEntry], OpenRequest | None]


def _detail(turn: Turn, serial: str) -> Detail | None:
    assert turn.company is not None
    with turn.app.uow(read_only=True) as uow:
        try:
            registration = registration_by_serial(uow.session, turn.campaign.code, serial)
        except NotFound:
            return None
        if registration.company_id != turn.company.id:
            return None  # another company's device: not ours to show
        _, entries = history(uow.session, turn.campaign.code, serial)
        return registration, entries, open_request_for_serial(uow.session, turn.company.id,
                                                              serial)
