"""The references our e-mails carry, so a reply finds its information request and cannot lie.

Three carriers, tried in this order by the reply matcher:

1. our ``Message-ID`` (echoed by mail clients in ``In-Reply-To``/``References``):
   ``<cb.{outbox_id}.{signature}@{domain}>``, where the signature is an HMAC of the outbox id
   under ``MAIL_SIGNING_SECRET``; a forged or altered id does not verify;
2. the plus-address of ``Reply-To``: ``cashback+{reference}@domain``;
3. the subject tag ``[CB-{reference}]``.

The first gives the outbox message, whose payload lists the information requests it
announced; the other two give one request's reference directly.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_MESSAGE_ID = re.compile(r"<cb\.(\d+)\.([0-9a-f]{20})@([^>\s]+)>", re.IGNORECASE)
_SUBJECT_TAG = re.compile(r"\[CB-([0-9A-F]{12})\]", re.IGNORECASE)
_PLUS = re.compile(r"^[^@+\s]+\+([0-9A-Za-z]{12})@", re.IGNORECASE)


def _signature(outbox_id: int, secret: str) -> str:
    return hmac.new(secret.encode(), f"cb:{outbox_id}".encode(), hashlib.sha256).hexdigest()[:20]


def message_id(outbox_id: int, secret: str, domain: str) -> str:
    """Our Message-ID for the e-mail of one outbox row."""
    return f"<cb.{outbox_id}.{_signature(outbox_id, secret)}@{domain}>"


def outbox_ids_in(header_values: str, secret: str) -> list[int]:
    """Outbox ids of our own, correctly signed Message-IDs found in In-Reply-To/References."""
    found: list[int] = []
    for match in _MESSAGE_ID.finditer(header_values):
        outbox_id = int(match.group(1))
        if hmac.compare_digest(match.group(2).lower(), _signature(outbox_id, secret)):
            found.append(outbox_id)
    return found


def subject_tag(reference: str) -> str:
    """The tag put in subjects: survives "RE:"/"TR:"/"R:" prefixes and most clients."""
    return f"[CB-{reference}]"


def reference_in_subject(subject: str) -> str | None:
    """An information request reference from a subject tag."""
    match = _SUBJECT_TAG.search(subject)
    return match.group(1).upper() if match else None


def plus_address(mailbox: str, reference: str) -> str:
    """``cashback@x`` -> ``cashback+REF@x``: the Reply-To of a request's e-mail."""
    local, _, domain = mailbox.partition("@")
    return f"{local.split('+')[0]}+{reference}@{domain}"


def reference_in_address(address: str) -> str | None:
    """An information request reference from a plus-address we gave out."""
    match = _PLUS.match(address.strip())
    return match.group(1).upper() if match else None
