"""What the operators' chat shows about a document set, and the buttons under it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.campaign import Campaign
from core.i18n import Translator, day, money, number
from core.information_requests import DocumentKind
from core.statuses import Status
from core.wording import DOCUMENT_KINDS, status_name
from storage.services.review_queue import ReviewDocument, ReviewItem

PREFIX = "op:"
APPROVE, REJECT, ASK, ASK_KIND, SHOW = "op:a:", "op:r:", "op:q:", "op:k:", "op:s:"
SHOWN_IN_QUEUE = 20
# Callback data carries a kind's position, not its name: Telegram allows 64 bytes.
KINDS = tuple(DocumentKind)

Buttons = list[list[tuple[str, str]]]


def review_text(item: ReviewItem, campaign: Campaign, t: Translator, language: str) -> str:
    """The registration, its company and every document it received, one per line."""
    product = campaign.product(item.product_code)
    lines = [t.gettext("📥 Documents to review: %(serial)s – %(product)s") % {
                 "serial": item.serial,
                 "product": product.name(language) if product else item.product_code},
             t.gettext("Company: %(name)s (%(number)s) · campaign %(campaign)s") % {
                 "name": item.company_name, "number": item.customer_number,
                 "campaign": item.campaign_code},
             t.gettext("Cashback: %(amount)s") % {
                 "amount": money(Decimal(item.amount_cents) / 100, campaign.currency, language)},
             f"{status_name(Status(item.status), t)}", ""]
    lines += [document_line(document, t, language) for document in item.documents]
    return "\n".join(lines)


def document_line(document: ReviewDocument, t: Translator, language: str) -> str:
    """``📎 invoice.pdf · application/pdf · 12.3 kB · from … (email), 15/06/2026 10:00 UTC``."""
    return t.gettext("📎 %(file)s · %(type)s · %(size)s · from %(sender)s (%(channel)s), "
                     "%(day)s %(time)s UTC") % {
        "file": document.filename, "type": document.content_type,
        "size": size_text(document.size, t, language), "sender": document.sender,
        "channel": document.channel, "day": day(document.received_at.date(), language),
        "time": f"{document.received_at:%H:%M}"}


def size_text(size: int, t: Translator, language: str) -> str:
    """A file size in kB (one decimal), readable in the operator's language."""
    kilobytes = (Decimal(size) / 1000).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return t.gettext("%(size)s kB") % {"size": number(kilobytes, language)}


def decision_buttons(registration_id: int, t: Translator) -> Buttons:
    """Approve, reject (a reason follows) or ask for more (the documents follow)."""
    return [[(t.gettext("✅ Approve"), f"{APPROVE}{registration_id}"),
             (t.gettext("❌ Reject"), f"{REJECT}{registration_id}"),
             (t.gettext("📝 Ask for more"), f"{ASK}{registration_id}")]]


def kind_buttons(registration_id: int, t: Translator) -> Buttons:
    """Which document the new information request asks for."""
    return [[(t.gettext(DOCUMENT_KINDS[kind]), f"{ASK_KIND}{registration_id}:{index}")]
            for index, kind in enumerate(KINDS)]



def queue_text(items: list[ReviewItem], t: Translator, language: str) -> tuple[str, Buttons]:
    """``/review``: what waits, the longest first, with a button to show each again."""
    if not items:
        return t.gettext("No registration is under review."), []
    lines = [t.ngettext("%(count)d registration under review, the longest waiting first:",
                        "%(count)d registrations under review, the longest waiting first:",
                        len(items)) % {"count": len(items)}]
    for item in items[:SHOWN_IN_QUEUE]:
        lines.append(t.ngettext("• %(serial)s · %(company)s · since %(day)s · %(count)d file",
                                "• %(serial)s · %(company)s · since %(day)s · %(count)d files",
                                len(item.documents)) % {
            "serial": item.serial, "company": item.company_name,
            "day": day(item.since.date(), language), "count": len(item.documents)})
    return "\n".join(lines), [[(f"📥 {item.serial}", f"{SHOW}{item.registration_id}")]
                              for item in items[:SHOWN_IN_QUEUE]]
