"""The notice about manual-only devices seen in the Sunny Portal: its e-mail and chat words.

The portal never transfers SMA Home Storage modules (nor, in France, the SMA EV Charger
Business); the company reads which of its devices these are, and in chat one button
registers them all (:mod:`bot.handlers.portal`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.i18n import translator
from bot.mail.answers import simple_mail
from bot.mail.topics import EmailDraft, MailRequest
from bot.outbox.chat import ChatMessage
from bot.outbox.errors import PermanentFailure
from bot.render import product_name
from core.campaign import Campaign
from core.i18n import Translator, day
from storage.services.portal_notice import MANUAL_ONLY_TOPIC

__all__ = ["MANUAL_ONLY_TOPIC", "REGISTER_ALL", "manual_only_chat", "manual_only_email"]
# Callback data of the chat button: this prefix and the import's id.
REGISTER_ALL = "pm:"
MAX_LISTED = 30


def _lines(payload: Mapping[str, Any], campaign: Campaign, t: Translator,
           language: str) -> list[str]:
    try:
        devices = [(str(d["serial"]), str(d["product_code"]),
                    date.fromisoformat(str(d["installed_on"]))) for d in payload["devices"]]
    except (KeyError, TypeError, ValueError):
        raise PermanentFailure("portal notice payload without readable devices") from None
    lines = [t.gettext("• %(serial)s – %(product)s, commissioned on %(date)s") % {
        "serial": serial, "product": product_name(campaign, product, language),
        "date": day(installed_on, language)} for serial, product, installed_on in devices]
    if len(lines) > MAX_LISTED:
        rest = len(lines) - MAX_LISTED
        lines = [*lines[:MAX_LISTED], t.ngettext("… and %(count)d more device.",
                                                 "… and %(count)d more devices.", rest)
                 % {"count": rest}]
    return lines


def _explanation(t: Translator, count: int) -> str:
    return t.ngettext(
        "The Sunny Portal shows this device of your company. The portal does not transfer it "
        "to the cashback campaign: it must be registered manually (SMA Home Storage battery "
        "modules one by one).",
        "The Sunny Portal shows these devices of your company. The portal does not transfer "
        "them to the cashback campaign: they must be registered manually (SMA Home Storage "
        "battery modules one by one).", count)


def manual_only_email(request: MailRequest) -> EmailDraft:
    """Which manual-only devices the company has in the portal, and how to register them."""
    t = translator(request.language)
    lines = _lines(request.payload, request.campaign, t, request.language)
    count = len(request.payload.get("devices", []))
    subject = t.gettext("Devices to register manually, seen in your Sunny Portal")
    paragraphs = [
        _explanation(t, count), "\n".join(lines),
        t.gettext("In the cashback chat assistant on Telegram, the “Register them all” button "
                  "of the same notice registers them in one step with the data from the portal; "
                  "you can also register them one by one with /register or with the bulk "
                  "template."),
    ]
    return EmailDraft(simple_mail(subject, paragraphs, request.language, t), request.language)


def manual_only_chat(payload: Mapping[str, Any], language: str,
                     campaign: Campaign) -> ChatMessage:
    """The same notice in chat, with the one button that registers them all."""
    t = translator(language)
    lines = _lines(payload, campaign, t, language)
    count = len(payload.get("devices", []))
    text = "\n".join([_explanation(t, count), *lines, t.ngettext(
        "Tap the button to register it with the portal's product and commissioning date.",
        "Tap the button to register them all with the portal's product and commissioning "
        "dates.", count)])
    label = t.ngettext("Register it", "Register them all", count)
    return ChatMessage(text, ((label, f"{REGISTER_ALL}{int(payload['import_id'])}"),))
