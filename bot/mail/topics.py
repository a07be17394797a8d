"""Which e-mail each outbox topic becomes: the registry the dispatcher renders through.

A topic's renderer gets the row's payload and the company's side (name, language, campaign,
the information requests the payload names) and returns an :class:`EmailDraft`. Status
changes and reminders are worded in :mod:`bot.mail.render`; another channel adds its own
topic (a link code, the answer to an unusable reply) by adding a renderer to
:func:`email_renderers`, without touching the dispatcher. A row whose topic has no renderer
is declared dead with a clear error rather than sent half-worded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.i18n import translator
from bot.mail.render import (
    REMINDER,
    STATUS_CHANGED,
    MailContent,
    Notification,
    RequestDetails,
    render_notification,
)
from core.campaign import Campaign
from storage.outbox import changes_in


@dataclass(frozen=True)
class MailRequest:
    """What a renderer knows: the row's topic and payload, and the company it goes to."""

    topic: str
    payload: Mapping[str, Any]
    company_name: str
    language: str
    campaign: Campaign
    requests: Mapping[str, RequestDetails]


@dataclass(frozen=True)
class EmailDraft:
    """A rendered e-mail: its words, their language, and the message it answers, if any."""

    content: MailContent
    language: str
    in_reply_to: str | None = None


EmailRenderer = Callable[[MailRequest], EmailDraft]


def status_email(request: MailRequest) -> EmailDraft:
    """Status changes and reminders, in the company's language."""
    notice = Notification(topic=request.topic, language=request.language,
                          campaign=request.campaign, changes=changes_in(dict(request.payload)),
                          requests=request.requests)
    return EmailDraft(render_notification(notice, translator(request.language)),
                      request.language)


def email_renderers() -> dict[str, EmailRenderer]:
    """Every e-mail topic the assistant sends, with the function that words it."""
    from bot.mail.answers import LINK_CODE, REPLY_REJECTED, link_code_email, reply_rejected_email
    from bot.portal_notice import MANUAL_ONLY_TOPIC, manual_only_email

    return {STATUS_CHANGED: status_email, REMINDER: status_email,
            REPLY_REJECTED: reply_rejected_email, LINK_CODE: link_code_email,
            MANUAL_ONLY_TOPIC: manual_only_email}
