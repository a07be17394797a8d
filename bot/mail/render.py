"""The words of a notification e-mail: subject, plain text and HTML, in the company's language.

Pure: the dispatcher loads what an outbox row announces (:class:`Notification`) and this
module turns it into :class:`MailContent`; :mod:`bot.mail.outbound` adds the headers. The
statuses, reasons, amounts and "please send ... by ..." sentences come from the same
functions as the chat and the command line (:mod:`core.wording`, :mod:`bot.render`), so a
device reads the same everywhere. One row becomes one e-mail, however many devices it
concerns: a 500-row template is one digest with a table, not 500 e-mails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from bot.mail.layout import DeviceView, html_body
from bot.mail.references import subject_tag
from bot.render import SUMMARY_ORDER, cents, product_name, request_text
from core.campaign import Campaign
from core.eligibility import IneligibilityReason, InfoReason
from core.i18n import N_, Translator, day, money, number
from core.information_requests import DocumentKind
from core.statuses import Status
from core.wording import (
    STATUS_MEANINGS,
    documents_text,
    info_reason_text,
    reason_text,
    status_name,
)
from storage.outbox import StatusChange

E = TypeVar("E", bound=StrEnum)
REMINDER = "reminder"
STATUS_CHANGED = "status_changed"
TOPICS = frozenset({REMINDER, STATUS_CHANGED})

NEXT_STEPS: dict[Status, str] = {
    Status.PENDING_PAYMENT: N_("Nothing else to do: the cashback will be paid to your company."),
    Status.UNDER_REVIEW: N_(
        "Nothing to do for now: we will write to you as soon as the check is complete."),
    Status.PAID: N_("Thank you for taking part in the campaign."),
}


@dataclass(frozen=True)
class RequestDetails:
    """What an open information request asks for, read from its row."""

    reference: str
    documents: tuple[DocumentKind, ...]
    note: str | None = None


@dataclass(frozen=True)
class Notification:
    """Everything one outbox row's e-mail tells, loaded by the dispatcher."""

    topic: str
    language: str
    campaign: Campaign
    changes: Sequence[StatusChange]
    requests: Mapping[str, RequestDetails]


@dataclass(frozen=True)
class MailContent:
    """The rendered e-mail; ``reference`` is the one information request it concerns, if any."""

    subject: str
    text: str
    html: str
    reference: str | None


class UnknownTopic(ValueError):
    """An outbox topic this renderer has no words for."""


def render_notification(notice: Notification, t: Translator) -> MailContent:
    """Subject and both bodies of one notification e-mail."""
    if notice.topic not in TOPICS:
        raise UnknownTopic(notice.topic)
    if not notice.changes:
        raise ValueError("a notification without changes")
    references = sorted({c.reference for c in notice.changes if c.reference})
    reference = references[0] if len(references) == 1 else None
    brief = len(notice.changes) > 1
    devices = [device_view(change, notice, t, brief=brief) for change in notice.changes]
    subject = subject_line(notice, t)
    if reference:
        subject = f"{subject} {subject_tag(reference)}"
    paragraphs = [_intro(notice, t)]
    summary = summary_lines(notice, t) if brief else []
    steps = _next_steps(notice, references, t)
    greeting = t.gettext("Hello,")
    closing = [t.gettext("Kind regards,"), t.gettext("The cashback campaign team")]
    footer = t.gettext("This e-mail was sent automatically by the cashback campaign assistant.")
    single = _single_lines(devices[0], t) if not brief else None
    blocks = [greeting, *paragraphs, "\n".join(summary),
              "\n".join(single) if single else _text_table(devices), *steps,
              "\n".join(closing), "-- \n" + footer]
    text = "\n\n".join(block for block in blocks if block) + "\n"
    html = html_body(language=notice.language, title=subject, greeting=greeting,
                     paragraphs=paragraphs, summary=summary, single=single, devices=devices,
                     headers=_headers(t), steps=steps, closing=closing, footer=footer)
    return MailContent(subject=subject, text=text, html=html, reference=reference)


def device_view(change: StatusChange, notice: Notification, t: Translator, *,
                brief: bool = False) -> DeviceView:
    """The official status, amount and what it means or asks, for one device.

    ``brief`` (a digest's table row) leaves out what each status means in general and keeps
    only what concerns this device: a reason, or the documents to send.
    """
    campaign, language = notice.campaign, notice.language
    status = Status(change.to_status)
    product = product_name(campaign, change.product_code, language)
    details: list[str] = []
    if status is Status.INFO_REQUIRED:
        info_reason = _member(InfoReason, change.reason)
        if notice.topic == STATUS_CHANGED:
            if info_reason is not None:
                details.append(info_reason_text(info_reason, t))
            if change.detail:
                details.append(t.gettext("Note from the campaign team: %(note)s")
                               % {"note": change.detail})
        details.append(_request_sentence(change, notice, t))
    elif status is Status.INELIGIBLE and (reason := _member(IneligibilityReason, change.reason)):
        details.append(reason_text(reason, t, serial=change.serial, product=product,
                                   detail=change.detail or ""))
    elif not brief:
        details.append(t.gettext(STATUS_MEANINGS[status])
                       % {"days": campaign.document_deadline_days})
    return DeviceView(serial=change.serial, product=product, status=status_name(status, t),
                      amount=money(cents(change.amount_cents), campaign.currency, language),
                      details=tuple(details))


def _member(kind: type[E], value: str | None) -> E | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _request_sentence(change: StatusChange, notice: Notification, t: Translator) -> str:
    if change.due_on is None:
        return t.gettext(STATUS_MEANINGS[Status.INFO_REQUIRED]) % {
            "days": notice.campaign.document_deadline_days}
    request = notice.requests.get(change.reference or "")
    documents = (documents_text(request.documents, t) if request and request.documents
                 else t.gettext("the requested documents"))
    # The reference as the subject tag, so it can be copied into a reply's subject as is.
    tag = subject_tag(change.reference) if change.reference else None
    return request_text(documents, change.due_on, tag, t, notice.language)


def subject_line(notice: Notification, t: Translator) -> str:
    """What happened, for which serial (or how many devices), without the reference tag."""
    changes = notice.changes
    count = len(changes)
    if notice.topic == REMINDER:
        due = min((c.due_on for c in changes if c.due_on), default=None)
        when = day(due, notice.language) if isinstance(due, date) else "-"
        if count == 1:
            return t.gettext("Reminder: documents due on %(date)s for serial number "
                             "%(serial)s") % {"date": when, "serial": changes[0].serial}
        return t.ngettext("Reminder: documents due on %(date)s for %(count)s device",
                          "Reminder: documents due on %(date)s for %(count)s devices", count) % {
            "date": when, "count": number(count, notice.language)}
    if count == 1:
        return t.gettext("Serial number %(serial)s: %(status)s") % {
            "serial": changes[0].serial, "status": status_name(Status(changes[0].to_status), t)}
    return t.ngettext("%(count)s device: status update", "%(count)s devices: status update",
                      count) % {"count": number(count, notice.language)}


def _intro(notice: Notification, t: Translator) -> str:
    count = len(notice.changes)
    if notice.topic == REMINDER:
        return t.ngettext(
            "We have not yet received the documents requested for this device. Without them, "
            "the registration cannot be accepted after the due date.",
            "We have not yet received the documents requested for these %(count)s devices. "
            "Without them, the registrations cannot be accepted after the due date.",
            count) % {"count": number(count, notice.language)}
    return t.ngettext(
        "There is news about a device your company registered in the cashback campaign.",
        "There is news about %(count)s devices your company registered in the cashback "
        "campaign.", count) % {"count": number(count, notice.language)}


def summary_lines(notice: Notification, t: Translator) -> list[str]:
    """Count and amount per status, for a digest of status changes (none for reminders)."""
    if notice.topic != STATUS_CHANGED:
        return []
    lines = []
    for status in SUMMARY_ORDER:
        mine = [c for c in notice.changes if c.to_status == status.value]
        if mine:
            total = cents(sum(c.amount_cents for c in mine))
            lines.append(t.ngettext("%(status)s: %(count)s device, %(amount)s",
                                    "%(status)s: %(count)s devices, %(amount)s", len(mine)) % {
                "status": status_name(status, t), "count": number(len(mine), notice.language),
                "amount": money(total, notice.campaign.currency, notice.language)})
    return lines


def _next_steps(notice: Notification, references: Sequence[str], t: Translator) -> list[str]:
    if len(references) == 1:
        return [t.gettext("To send the documents, simply reply to this e-mail with them "
                          "attached (PDF, JPEG or PNG). You can also send them in the chat.")]
    if references:
        return [t.gettext("To send the documents, please reply once per device, with the "
                          "device's reference in the subject (for example %(tag)s), and attach "
                          "the documents (PDF, JPEG or PNG).")
                % {"tag": subject_tag(references[0])}]
    if len(notice.changes) == 1 and notice.topic == STATUS_CHANGED:
        step = NEXT_STEPS.get(Status(notice.changes[0].to_status))
        return [t.gettext(step)] if step else []
    return []


def _headers(t: Translator) -> tuple[str, ...]:
    return (t.gettext("Serial number"), t.gettext("Product"), t.gettext("Status"),
            t.gettext("Cashback"), t.gettext("Details"))


def _single_lines(device: DeviceView, t: Translator) -> list[str]:
    return [f"{device.serial} – {device.product}", device.status,
            t.gettext("Cashback: %(amount)s") % {"amount": device.amount}, *device.details]


def _text_table(devices: Sequence[DeviceView]) -> str:
    lines = []
    for device in devices:
        lines.append(f"{device.serial} · {device.product} · {device.status} · {device.amount}")
        lines.extend(f"    {detail}" for detail in device.details)
    return "\n".join(lines)
