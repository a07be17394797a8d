"""E-mails other channels queue: the answer to an unusable reply, and a chat link code.

Their words come from the module that decides (:mod:`core.replies` for why a reply changed
nothing); this module only lays them out like every other e-mail of ours. A payload that
cannot be read is a permanent failure: sending it again would not make it readable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.i18n import language_or_default, translator
from bot.mail.layout import html_body
from bot.mail.references import subject_tag
from bot.mail.render import MailContent
from bot.mail.topics import EmailDraft, MailRequest
from bot.outbox.errors import PermanentFailure
from core.i18n import Translator
from core.replies import HEADLINE, ReplyProblem, reply_problem_text
from storage.services.replies import REPLY_REJECTED

# The topic storage.services.chat queues a link code under.
LINK_CODE = "link_code"
__all__ = ["LINK_CODE", "REPLY_REJECTED", "link_code_email", "reply_rejected_email"]


def simple_mail(subject: str, paragraphs: Sequence[str], language: str, t: Translator,
                reference: str | None = None) -> MailContent:
    """Greeting, paragraphs, signature and footer, as text and HTML."""
    greeting = t.gettext("Hello,")
    closing = [t.gettext("Kind regards,"), t.gettext("The cashback campaign team")]
    footer = t.gettext("This e-mail was sent automatically by the cashback campaign assistant.")
    text = "\n\n".join([greeting, *paragraphs, "\n".join(closing), "-- \n" + footer]) + "\n"
    html = html_body(language=language, title=subject, greeting=greeting, paragraphs=paragraphs,
                     summary=(), single=None, devices=(), headers=(), steps=(),
                     closing=closing, footer=footer)
    return MailContent(subject=subject, text=text, html=html, reference=reference)


def _field(payload: Mapping[str, Any], name: str) -> Any:
    try:
        return payload[name]
    except KeyError:
        raise PermanentFailure(f"payload without {name!r}") from None


def reply_rejected_email(request: MailRequest) -> EmailDraft:
    """Why the company's reply changed nothing, and what to do; threaded under that reply."""
    payload, language = request.payload, request.language
    try:
        problem = ReplyProblem(_field(payload, "reason"))
    except ValueError:
        raise PermanentFailure(f"unknown reply problem {payload.get('reason')!r}") from None
    t = translator(language)
    references = [str(r) for r in payload.get("references", []) if r]
    reference = references[0] if len(references) == 1 else None
    subject = t.gettext(HEADLINE)
    if reference:
        subject = f"{subject} {subject_tag(reference)}"
    paragraphs = [reply_problem_text(
        problem, t, language, sender=str(payload.get("sender", "")),
        files=[str(f) for f in payload.get("files", [])],
        max_attachment_bytes=int(payload.get("max_attachment_bytes", 0)),
        max_attachments=int(payload.get("max_attachments", 0)))]
    serials = [str(s) for s in payload.get("serials", []) if s]
    if serials:
        paragraphs.append(t.gettext("Devices concerned: %(serials)s")
                          % {"serials": ", ".join(serials)})
    in_reply_to = payload.get("message_id")
    return EmailDraft(simple_mail(subject, paragraphs, language, t, reference), language,
                      in_reply_to=str(in_reply_to) if in_reply_to else None)


def link_code_email(request: MailRequest) -> EmailDraft:
    """The one-time code a chat user types to prove access, in that user's language."""
    payload = request.payload
    code = str(_field(payload, "code"))
    language = language_or_default(payload.get("language"), request.language)
    t = translator(language)
    minutes = int(payload.get("minutes", 0))
    paragraphs = [
        t.gettext("Someone (%(requester)s) asked to link a Telegram account to %(company)s in "
                  "the cashback chat assistant. Here is the code to type in the chat:")
        % {"requester": payload.get("requested_by") or "?", "company": request.company_name},
        code,
        t.ngettext("The code is valid for %(minutes)d minute.",
                   "The code is valid for %(minutes)d minutes.", minutes) % {"minutes": minutes},
        t.gettext("If nobody at your company asked for it, ignore this e-mail: without the "
                  "code, nobody can see your company's data."),
    ]
    subject = t.gettext("Your code for the cashback chat assistant")
    return EmailDraft(simple_mail(subject, paragraphs, language, t), language)
