"""Reading one incoming e-mail: who sent it, what it answers, what kind it is, its files.

Pure: bytes in, a :class:`ParsedMessage` out, nothing looked up. The Python ``email``
package with the modern policy does the MIME work (RFC 2047 headers, RFC 2231 parameters,
transfer encodings); this module adds what mail clients do in practice: forwarded messages
whose files sit in a ``message/rfc822`` part, Outlook's ``winmail.dat`` (TNEF), names with
Windows paths or none at all, signature logos next to real photos, and automatic messages
that must never be answered (RFC 3834).
"""

from __future__ import annotations

import email
import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.utils import getaddresses

from tnefparse import TNEF  # type: ignore[import-untyped]

from bot.mail.attachments import (
    FilePart,
    decode_words,
    is_signature_image,
    safe_filename,
    signature_cids,
    sniff,
)
from core.replies import MessageKind, normalise_address

log = logging.getLogger("cashback.mail")

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
_MAX_DEPTH = 12
_MAX_PARTS = 500
# Parts that belong to the message's structure, never documents.
_STRUCTURAL = frozenset({"message/delivery-status", "message/disposition-notification",
                         "text/rfc822-headers", "application/pgp-signature",
                         "application/pkcs7-signature", "application/x-pkcs7-signature",
                         "application/pgp-encrypted"})
_TNEF = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
_AUTO_SUBJECTS = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|réponse automatique|"
    r"absence du bureau|risposta automatica|fuori sede)\b", re.IGNORECASE)
_RAW_NAME = re.compile(r'\b(?:file)?name\s*=\s*"([^"]*)"', re.IGNORECASE)
_ROBOTS = frozenset({"mailer-daemon", "postmaster"})


@dataclass(frozen=True)
class ParsedMessage:
    """What the reply handler needs from one message."""

    message_id: str
    sender: str
    subject: str
    kind: MessageKind
    thread: str  # In-Reply-To and References, where our Message-IDs come back
    recipients: tuple[str, ...]  # To, Cc, Delivered-To, X-Original-To: our plus-addresses
    files: tuple[FilePart, ...]


def parse_message(raw: bytes) -> ParsedMessage:
    """Read a whole message (as fetched over IMAP) into what the reply handler needs."""
    return _parsed(raw, with_files=True)


def parse_headers(raw_headers: bytes) -> ParsedMessage:
    """The same from the headers alone, for a message too big to download: it has no files."""
    return _parsed(raw_headers, with_files=False)


def _parsed(raw: bytes, *, with_files: bool) -> ParsedMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return ParsedMessage(
        message_id=message_identity(message, raw), sender=sender_of(message),
        subject=header_text(message, "Subject"), kind=message_kind(message),
        thread=" ".join(header_texts(message, "In-Reply-To")
                        + header_texts(message, "References")),
        recipients=addresses(message, "To", "Cc", "Delivered-To", "X-Original-To"),
        files=tuple(files_of(message)) if with_files else ())


def header_texts(message: Message, name: str) -> list[str]:
    """Every value of a header, decoded; a header too broken to parse is kept raw."""
    values: list[str] = []
    for value in message.get_all(name, []) or []:
        try:
            values.append(decode_words(str(value)))
        except Exception:  # noqa: BLE001 - hostile headers must not stop the parser
            values.append(repr(value))
    return values


def header_text(message: Message, name: str) -> str:
    """The first value of a header as text (empty when absent)."""
    values = header_texts(message, name)
    return " ".join(values[0].split()) if values else ""


def addresses(message: Message, *names: str) -> tuple[str, ...]:
    """The addr-specs in address headers, lower-cased."""
    found: list[str] = []
    for name in names:
        for _display, address in getaddresses(header_texts(message, name)):
            if "@" in address:
                found.append(normalise_address(address))
    return tuple(found)


def sender_of(message: Message) -> str:
    """The one ``From`` address; empty when there is none or several (never ``Reply-To``)."""
    found = addresses(message, "From")
    return found[0] if len(set(found)) == 1 else ""


def message_identity(message: Message, raw: bytes) -> str:
    """The Message-ID, or a hash of the bytes for a message without a usable one."""
    match = _MESSAGE_ID.search(header_text(message, "Message-ID"))
    if match:
        return match.group(0)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def message_kind(message: Message) -> MessageKind:
    """Personal mail, or an automatic message that must not be answered (RFC 3834)."""
    if message.get_content_type() == "multipart/report":
        return MessageKind.BOUNCE
    sender = sender_of(message) or next(iter(addresses(message, "From")), "")
    if sender.split("@")[0] in _ROBOTS:
        return MessageKind.BOUNCE
    auto_submitted = header_text(message, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return MessageKind.AUTO_REPLY
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponse"):
        if header_text(message, name).lower() not in ("", "no", "false", "0"):
            return MessageKind.AUTO_REPLY
    precedence = header_text(message, "Precedence").lower()
    if precedence == "auto_reply":
        return MessageKind.AUTO_REPLY
    if precedence in {"bulk", "junk", "list"} or any(
            message.get(name) is not None for name in ("List-Id", "List-Post",
                                                       "List-Unsubscribe")):
        return MessageKind.LIST
    if header_text(message, "Return-Path") == "<>" or _AUTO_SUBJECTS.match(
            header_text(message, "Subject")):
        return MessageKind.AUTO_REPLY
    return MessageKind.PERSONAL


def files_of(message: EmailMessage) -> Iterator[FilePart]:
    """The files of a message, forwarded messages and winmail.dat included, logos left out."""
    leaves = list(_leaves(message, 0))
    html = [_text(part) for part in leaves
            if part.get_content_type() == "text/html" and not part.get_filename()]
    in_signature = signature_cids(html)
    index = 0
    for part in leaves:
        for found in _files_in(part):
            if is_signature_image(found, in_signature):
                continue
            index += 1
            yield FilePart(safe_filename(found.filename, sniff(found.content), index),
                           found.declared_type, found.content, found.content_id)


def _leaves(part: Message, depth: int) -> Iterator[Message]:
    """Leaf parts in order, descending into multiparts and attached messages (bounded)."""
    if depth > _MAX_DEPTH:
        return
    if part.is_multipart():
        payload = part.get_payload()
        for child in payload[:_MAX_PARTS] if isinstance(payload, list) else []:
            if isinstance(child, Message):
                yield from _leaves(child, depth + 1)
        return
    yield part


def _files_in(part: Message) -> Iterator[FilePart]:
    content_type = part.get_content_type()
    filename = _filename(part)
    if content_type in _STRUCTURAL:
        return
    if content_type.startswith("text/") and not filename and \
            part.get_content_disposition() != "attachment":
        return  # a body, not a file
    content = part.get_payload(decode=True)
    if not isinstance(content, bytes):
        return
    if content_type in _TNEF or filename.lower() == "winmail.dat":
        yield from _tnef_files(content, filename or "winmail.dat")
        return
    yield FilePart(filename, content_type, content, part.get("Content-ID"))


def _filename(part: Message) -> str:
    r"""The file name as sent; a Windows path keeps its backslashes so the path can go.

    The header parser reads ``"C:\Users\x.pdf"`` as an RFC 5322 quoted string and drops
    the backslashes (``C:Usersx.pdf``), so such a name is taken from the raw header.
    """
    for name, value in part.raw_items():
        if name.lower() in ("content-disposition", "content-type"):
            match = _RAW_NAME.search(str(value))
            if match and "\\" in match.group(1):
                return match.group(1)
    try:
        return part.get_filename() or ""
    except Exception:  # noqa: BLE001 - a broken parameter is a missing name, not a crash
        return ""


def _tnef_files(content: bytes, name: str) -> Iterator[FilePart]:
    """The attachments Outlook packed into winmail.dat; the file itself if unreadable."""
    try:
        attachments = TNEF(content).attachments
    except Exception:  # noqa: BLE001 - a damaged container is a file we cannot use
        log.info("unreadable TNEF attachment %s", name)
        yield FilePart(name, "application/ms-tnef", content)
        return
    for attachment in attachments[:_MAX_PARTS]:
        data = attachment.data if isinstance(attachment.data, bytes) else b""
        try:
            title = attachment.long_filename() or ""
            title = title.decode("latin-1") if isinstance(title, bytes) else str(title)
        except Exception:  # noqa: BLE001 - a badly encoded name is a missing name
            title = ""
        yield FilePart(title, "application/octet-stream", data)


def _text(part: Message) -> str:
    try:
        content = part.get_payload(decode=True)
        charset = part.get_content_charset() or "utf-8"
        return content.decode(charset, errors="replace") if isinstance(content, bytes) else ""
    except LookupError:
        return ""
