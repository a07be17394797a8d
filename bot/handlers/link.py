"""Linking a chat user to their company: customer number, then the code e-mailed to it."""

from __future__ import annotations

import math
import re
from datetime import datetime

from telegram import Update

from bot.telegram.turn import Context, Turn
from core.eligibility import IneligibilityReason
from core.wording import reason_text
from storage.services.chat import (
    LINK_CODE_LIFETIME,
    LinkCheck,
    LinkCheckOutcome,
    LinkRequest,
    LinkRequestOutcome,
    check_link_code,
    request_link_code,
    unlink,
)

ASK_NUMBER = "link:number"
ASK_CODE = "link:code"
_CODE = re.compile(r"\d{6}")


def masked(address: str) -> str:
    """``contact@firm.example`` -> ``c***@firm.example``: enough to recognise, not to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


async def link(update: Update, context: Context) -> None:
    """``/link [customer number]``."""
    turn = await Turn.begin(update, context)
    t = turn.t
    if turn.company is not None:
        await turn.reply(t.gettext("You are linked to %(company)s. To link another company, "
                                 "first send /unlink.") % {"company": turn.company.name})
        return
    if context.args:
        await customer_number(turn, " ".join(context.args))
        return
    await turn.remember(ASK_NUMBER)
    await turn.reply(t.gettext("What is your company's SMA customer number?"))


async def customer_number(turn: Turn, text: str) -> None:
    """The user typed a customer number: send a code to the company."""
    number = text.strip()
    user = turn.update.effective_user
    name = user.full_name if user else ""
    result = await turn.db(_request, turn, number, name)
    t = turn.t
    if result.outcome is LinkRequestOutcome.CODE_SENT:
        await turn.remember(ASK_CODE)
        await turn.reply(t.gettext(
            "I have e-mailed a 6-digit code to your company's registered address (%(addresses)s)."
            " Please send it here within %(minutes)d minutes.") % {
            "addresses": ", ".join(masked(a) for a in result.addresses),
            "minutes": int(LINK_CODE_LIFETIME.total_seconds() // 60)})
    elif result.outcome is LinkRequestOutcome.NOT_ENROLLED:
        await turn.forget()
        await turn.reply(reason_text(IneligibilityReason.COMPANY_NOT_ENROLLED, t) + "\n"
                       + t.gettext("Please also check the customer number: %(number)s.")
                       % {"number": number[:40]})
    elif result.outcome is LinkRequestOutcome.NO_ADDRESS:
        await turn.forget()
        await turn.reply(t.gettext("Your company has no registered e-mail address, so I cannot "
                                 "send a code. Please contact the campaign team."))
    elif result.outcome is LinkRequestOutcome.TOO_SOON:
        await turn.remember(ASK_CODE)
        await turn.reply(t.gettext("I have just sent a code. Please check the mailbox (and the "
                                 "spam folder); you can ask for a new one in a minute."))
    else:
        assert result.locked_until is not None
        await turn.forget()
        await turn.reply(_locked(turn, result.locked_until))


async def code(turn: Turn, text: str) -> None:
    """The user typed what should be the code."""
    typed = re.sub(r"\s", "", text)
    t = turn.t
    if not _CODE.fullmatch(typed):
        await turn.reply(t.gettext("The code has 6 digits. Please type it, or /cancel."))
        return
    result: LinkCheck = await turn.db(_check, turn, typed)
    if result.outcome is LinkCheckOutcome.LINKED:
        assert result.company is not None
        await turn.forget()
        await turn.reply(t.gettext("Done ✅ You are linked to %(company)s. Try /register or "
                                 "/status.") % {"company": result.company.name})
    elif result.outcome is LinkCheckOutcome.WRONG:
        await turn.reply(t.ngettext("This code is not right. %(count)d attempt left.",
                                  "This code is not right. %(count)d attempts left.",
                                  result.attempts_left) % {"count": result.attempts_left})
    elif result.outcome is LinkCheckOutcome.LOCKED:
        assert result.locked_until is not None
        await turn.forget()
        await turn.reply(_locked(turn, result.locked_until))
    else:
        await turn.forget()
        await turn.reply(t.gettext("This code has expired. Send /link to get a new one."))


async def unlink_command(update: Update, context: Context) -> None:
    """``/unlink``: forget the company."""
    turn = await Turn.begin(update, context)
    company = turn.company
    await turn.db(_unlink, turn)
    t = turn.t
    if company is None:
        await turn.reply(t.gettext("You were not linked to any company."))
    else:
        await turn.reply(t.gettext("You are no longer linked to %(company)s. Send /link to link "
                                 "a company again.") % {"company": company.name})


def _locked(turn: Turn, until: datetime) -> str:
    minutes = max(1, math.ceil((until - turn.now()).total_seconds() / 60))
    return turn.t.ngettext("Too many wrong codes. Please try again in %(count)d minute.",
                           "Too many wrong codes. Please try again in %(count)d minutes.",
                           minutes) % {"count": minutes}


def _request(turn: Turn, number: str, name: str) -> LinkRequest:
    with turn.app.uow() as uow:
        return request_link_code(uow, chat_user_id=turn.profile.chat_user_id,
                                 customer_number=number, requested_by=name, now=turn.now())


def _check(turn: Turn, typed: str) -> LinkCheck:
    with turn.app.uow() as uow:
        return check_link_code(uow, chat_user_id=turn.profile.chat_user_id, code=typed,
                               now=turn.now())


def _unlink(turn: Turn) -> None:
    with turn.app.uow() as uow:
        unlink(uow, chat_user_id=turn.profile.chat_user_id)
