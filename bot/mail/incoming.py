"""One fetched message turned into what the reply use case judges: parsed, keyed, filed.

Pure apart from logging: parsing (:mod:`bot.mail.parse`), the file rules
(:mod:`bot.mail.attachments`) and the references (:mod:`bot.mail.matching`) meet here, so
the poller only fetches and the storage use case only decides.
"""

from __future__ import annotations

import logging

from bot.mail.attachments import Selection, select_documents
from bot.mail.matching import reply_keys
from bot.mail.parse import ParsedMessage, parse_headers, parse_message
from core.replies import MessageKind, ReplyKeys, ReplyProblem
from storage.services.replies import IncomingReply, ReplyLimits
from storage.services.review import IncomingDocument

log = logging.getLogger("cashback.mail")


def reply_from_message(raw: bytes, *, mailbox: str, secret: str,
                       limits: ReplyLimits) -> IncomingReply:
    """A whole message; one the parser cannot read is a reply without documents."""
    try:
        parsed = parse_message(raw)
    except Exception:  # noqa: BLE001 - an unparsable message is quarantined, not fatal
        log.exception("unreadable message")
        headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        return _reply(parse_headers(headers), Selection((), ReplyProblem.NO_DOCUMENT),
                      mailbox, secret)
    selection = select_documents(parsed.files, max_bytes=limits.max_attachment_bytes,
                                 max_count=limits.max_attachments)
    return _reply(parsed, selection, mailbox, secret)


def reply_from_headers(headers: bytes, size: int, *, mailbox: str,
                       secret: str) -> IncomingReply:
    """A message too big to download, judged on its headers: refused as too big."""
    log.info("message of %d bytes judged on its headers alone", size)
    return _reply(parse_headers(headers), Selection((), ReplyProblem.TOO_BIG), mailbox, secret)


def _reply(parsed: ParsedMessage, selection: Selection, mailbox: str,
           secret: str) -> IncomingReply:
    # Automatic messages are never matched: they change nothing whatever they quote.
    keys = reply_keys(parsed, secret) if parsed.kind is MessageKind.PERSONAL else ReplyKeys()
    return IncomingReply(
        mailbox=mailbox, message_id=parsed.message_id, sender=parsed.sender,
        subject=parsed.subject, kind=parsed.kind, keys=keys,
        documents=tuple(IncomingDocument(part.filename, part.content_type or "", part.content)
                        for part in selection.documents),
        attachment_problem=selection.problem, offending=selection.offending)
