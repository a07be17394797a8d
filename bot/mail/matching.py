"""Which information request a reply answers, as far as the message itself can tell.

The message carries the reference in up to three places (see :mod:`bot.mail.references`);
this module reads all of them, checking our Message-ID signatures so a forged one counts for
nothing. Looking the references up, checking the sender against the company's registered
addresses and counting the sender's messages this hour happen in one transaction with the
documents (:mod:`storage.services.replies`), so two pollers can never disagree.
"""

from __future__ import annotations

from bot.mail.parse import ParsedMessage
from bot.mail.references import outbox_ids_in, reference_in_address, reference_in_subject
from core.replies import ReplyKeys


def reply_keys(message: ParsedMessage, secret: str) -> ReplyKeys:
    """The verified outbox ids, plus-address references and subject reference of a reply."""
    outbox_ids = tuple(dict.fromkeys(outbox_ids_in(message.thread, secret)))
    in_addresses = tuple(dict.fromkeys(
        reference for reference in map(reference_in_address, message.recipients)
        if reference is not None))
    return ReplyKeys(outbox_ids=outbox_ids, address_references=in_addresses,
                     subject_reference=reference_in_subject(message.subject))
