"""Registering devices in chat: serial(s), product as buttons, installation date, verdict.

Each step is remembered in the database, so the user can answer tomorrow or after a restart.
Everything can also come in one line: ``3000000007 STP-SE 15/06/2026``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from telegram import Update

from bot.observability.metrics import claim_outcomes, count_registrations
from bot.render import outcome_text, product_name
from bot.telegram.claim_text import (
    MAX_SERIALS,
    match_product,
    parse_day,
    parse_one_line,
    serial_lines,
)
from bot.telegram.turn import Buttons, Context, Turn
from core.i18n import day
from core.information_requests import local_day
from core.statuses import Channel
from storage.services.registrations import ClaimInput, ClaimOutcome, register_many

ASK_SERIALS = "register:serials"
ASK_PRODUCT = "register:product"
ASK_DATE = "register:date"
PRODUCT = "rp:"
DAY = "rd:"
SUGGESTION = "sg:"
MAX_CALLBACK = 64
_SUGGESTION_DATA = re.compile(r"sg:([0-9A-Z]{1,32}):([A-Z0-9-]{1,32}):(\d{8})")


async def register(update: Update, context: Context) -> None:
    """``/register`` asks step by step; ``/register SERIAL PRODUCT DATE`` does it at once."""
    turn = await Turn.begin(update, context)
    if not await turn.require_company():
        return
    message = update.effective_message
    text = (message.text or "").partition(" ")[2] if message else ""
    if text.strip():
        await serials_typed(turn, text)
        return
    await turn.remember(ASK_SERIALS)
    await turn.reply(turn.t.gettext("Please send the serial number (on the device's type label). "
                                  "Several devices? One serial per line."))


async def serials_typed(turn: Turn, text: str) -> None:
    """Serials, one per line, or a whole claim in one line."""
    t = turn.t
    one = parse_one_line(text)
    if one is not None:
        product = match_product(turn.campaign, one.product_text)
        if product is not None:
            await finish(turn, [one.serial], product, one.installed_on)
            return
        notice = t.gettext("I do not know the product “%(product)s”.") % {
            "product": one.product_text[:60]} if one.product_text else None
        await ask_product(turn, [one.serial], one.installed_on, notice)
        return
    serials = serial_lines(text)
    if len(serials) > MAX_SERIALS:
        await turn.reply(t.gettext("That is more than %(count)d serial numbers. For many devices, "
                                 "the Excel template is easier: /template") % {
            "count": MAX_SERIALS})
        return
    await ask_product(turn, serials)


async def ask_product(turn: Turn, serials: Sequence[str], installed_on: date | None = None,
                      notice: str | None = None) -> None:
    """Product buttons from the company's campaign (skipped when there is only one)."""
    products = list(turn.campaign.products.values())
    if len(products) == 1 and installed_on is not None:
        await finish(turn, serials, products[0].code, installed_on)
        return
    if len(products) == 1:
        await ask_date(turn, serials, products[0].code)
        return
    await turn.remember(ASK_PRODUCT, serials=list(serials),
                        installed_on=installed_on.isoformat() if installed_on else None)
    question = turn.t.ngettext("Which product is it?", "Which product are they?", len(serials))
    await turn.reply(f"{notice}\n{question}" if notice else question,
                   [[(p.name(turn.language), PRODUCT + p.code)] for p in products])


async def product_chosen(update: Update, context: Context) -> None:
    """A product button was tapped."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    if not await turn.require_company() or not await _expecting(turn, ASK_PRODUCT):
        return
    assert update.callback_query is not None
    code = str(update.callback_query.data).removeprefix(PRODUCT)
    if turn.campaign.product(code) is None:
        return
    data = turn.conversation.data
    await turn.show(turn.t.gettext("Product: %(product)s") % {
        "product": product_name(turn.campaign, code, turn.language)})
    if data.get("installed_on"):
        await finish(turn, data["serials"], code, date.fromisoformat(data["installed_on"]))
    else:
        await ask_date(turn, data["serials"], code)


async def product_typed(turn: Turn, text: str) -> None:
    """The user typed the product instead of tapping it."""
    data = turn.conversation.data
    code = match_product(turn.campaign, text)
    installed_on = date.fromisoformat(data["installed_on"]) if data.get("installed_on") else None
    if code is None:
        await ask_product(turn, data["serials"], installed_on, turn.t.gettext(
            "I do not know the product “%(product)s”.") % {"product": text.strip()[:60]})
    elif installed_on is not None:
        await finish(turn, data["serials"], code, installed_on)
    else:
        await ask_date(turn, data["serials"], code)


async def ask_date(turn: Turn, serials: Sequence[str], product: str,
                   products: Sequence[str] | None = None) -> None:
    """Installation date: typed, or today/yesterday as buttons.

    ``products`` gives each serial its own product (serials read from several labels).
    """
    t = turn.t
    await turn.remember(ASK_DATE, serials=list(serials), product=product,
                        products=list(products) if products else None)
    await turn.reply(t.gettext("When was it installed? Type the date (dd/mm/yyyy) or tap:"),
                   [[(t.gettext("Today"), DAY + "0"), (t.gettext("Yesterday"), DAY + "1")]])


async def date_typed(turn: Turn, text: str) -> None:
    """The user typed the installation date."""
    installed_on = parse_day(text)
    if installed_on is None:
        await turn.reply(turn.t.gettext("I could not read this date. Please write it as "
                                      "dd/mm/yyyy, for example %(example)s.") % {
            "example": day(local_day(turn.now(), turn.campaign), turn.language)})
        return
    data = turn.conversation.data
    await finish(turn, data["serials"], data["product"], installed_on, data.get("products"))


async def day_chosen(update: Update, context: Context) -> None:
    """Today or yesterday was tapped."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    if not await turn.require_company() or not await _expecting(turn, ASK_DATE):
        return
    assert update.callback_query is not None
    days_ago = 1 if str(update.callback_query.data).removeprefix(DAY) == "1" else 0
    installed_on = local_day(turn.now(), turn.campaign) - timedelta(days=days_ago)
    await turn.show(turn.t.gettext("Installation date: %(date)s") % {
        "date": day(installed_on, turn.language)})
    data = turn.conversation.data
    await finish(turn, data["serials"], data["product"], installed_on, data.get("products"))


async def suggestion_chosen(update: Update, context: Context) -> None:
    """A "did you mean" serial was tapped: register it with the same product and date."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    if not await turn.require_company():
        return
    assert update.callback_query is not None
    match = _SUGGESTION_DATA.fullmatch(str(update.callback_query.data))
    installed_on = parse_day(match[3]) if match else None
    if match is None or installed_on is None:
        return
    await finish(turn, [match[1]], match[2], installed_on)


async def finish(turn: Turn, serials: Sequence[str], product: str, installed_on: date,
                 products: Sequence[str] | None = None) -> None:
    """Register and answer with each verdict, its amount and any suggestions."""
    outcomes = await turn.db(_register, turn, serials, products or [product] * len(serials),
                             installed_on)
    texts = [outcome_text(o, turn.campaign, turn.t, turn.language) for o in outcomes]
    if all(o.verdict is None for o in outcomes):
        # The date itself is wrong (in the future): ask for it again, keep the rest.
        await turn.remember(ASK_DATE, serials=list(serials), product=product,
                            products=list(products) if products else None)
        await turn.reply("\n\n".join(dict.fromkeys(texts)))
        return
    await turn.forget()
    await turn.reply("\n\n".join(texts), _suggestions(outcomes, product, installed_on))


def _suggestions(outcomes: Sequence[ClaimOutcome], product: str, installed_on: date) -> Buttons:
    rows: list[list[tuple[str, str]]] = []
    for outcome in outcomes:
        if outcome.verdict is None:
            continue
        for serial in outcome.verdict.suggestions:
            data = f"{SUGGESTION}{serial}:{product}:{installed_on:%Y%m%d}"
            if len(data.encode()) <= MAX_CALLBACK:
                rows.append([(f"↪ {serial}", data)])
    return rows


async def _expecting(turn: Turn, state: str) -> bool:
    if turn.conversation.state == state:
        return True
    await turn.reply(turn.t.gettext("This button is no longer active. Send /register to start "
                                  "again."))
    return False


def _register(turn: Turn, serials: Sequence[str], products: Sequence[str],
              installed_on: date) -> list[ClaimOutcome]:
    assert turn.company is not None
    user = turn.profile.telegram_user_id
    with turn.app.uow() as uow:
        outcomes = register_many(uow, campaign=turn.campaign,
                                 customer_number=turn.company.customer_number,
                                 claims=[ClaimInput(s, p, installed_on)
                                         for s, p in zip(serials, products, strict=True)],
                                 channel=Channel.CHAT, actor=f"chat:{user}", now=turn.now())
    count_registrations(Channel.CHAT.value, claim_outcomes(outcomes))
    return outcomes
