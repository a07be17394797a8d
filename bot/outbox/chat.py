"""Chat notifications: the interface the Telegram channel implements, and the words it sends.

A company's chat row goes to every chat user linked to it who proved access (``verified``)
and did not turn notifications off, each in their own language. Telegram messages are short:
one device is told in full, a digest by its counts and the devices that need documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.mail.render import Notification, device_view, subject_line, summary_lines
from core.campaign import Campaign
from core.i18n import Translator, number

# Telegram allows 4,096 characters per message; list this many devices needing action.
MAX_LISTED = 15


class ChatSender(Protocol):
    """Sends one text to one Telegram user; implemented by the chat channel.

    Implementations raise :class:`~bot.outbox.errors.TemporaryFailure` when trying again
    later may work (network, Telegram's 429/5xx) and
    :class:`~bot.outbox.errors.PermanentFailure` when it cannot (the user blocked the bot,
    the chat no longer exists). ``key`` is stable for one row and one user, for logs and for
    implementations that can recognise a repeat.
    """

    async def send(self, chat_user_telegram_id: int, text: str, *, key: str,
                   buttons: Sequence[tuple[str, str]] = ()) -> None:
        """Deliver ``text`` (with buttons: (label, callback data), one per row)."""
        ...


@dataclass(frozen=True)
class ChatMessage:
    """A chat notice other than a status change: its text and its buttons, if any."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()


# A topic's chat words: the row's payload, the reader's language, the company's campaign.
ChatRenderer = Callable[[Mapping[str, Any], str, Campaign], ChatMessage]


def chat_renderers() -> dict[str, ChatRenderer]:
    """Topics whose chat message is not a status notice, with the function that words it."""
    from bot.portal_notice import MANUAL_ONLY_TOPIC, manual_only_chat

    return {MANUAL_ONLY_TOPIC: manual_only_chat}


def chat_text(notice: Notification, t: Translator) -> str:
    """The chat message of one outbox row, in the reader's language."""
    lines = [subject_line(notice, t)]
    if len(notice.changes) == 1:
        device = device_view(notice.changes[0], notice, t)
        lines += [f"{device.serial} – {device.product}", device.status,
                  t.gettext("Cashback: %(amount)s") % {"amount": device.amount}, *device.details]
    else:
        lines += summary_lines(notice, t)
        needing = [c for c in notice.changes if c.reference]
        for change in needing[:MAX_LISTED]:
            device = device_view(change, notice, t, brief=True)
            lines.append(f"• {device.serial} – {device.product}: " + " ".join(device.details))
        if len(needing) > MAX_LISTED:
            rest = len(needing) - MAX_LISTED
            lines.append(t.ngettext("… and %(count)s more device.", "… and %(count)s more devices.",
                                    rest) % {"count": number(rest, notice.language)})
    if any(c.reference for c in notice.changes):
        lines.append(t.gettext("You can send the documents here in the chat, or by replying to "
                               "our e-mail."))
    return "\n".join(lines)
