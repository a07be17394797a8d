r"""The IMAP connection of the reply poller, with imap-tools: connect, select, fetch, move.

Messages are fetched with ``BODY.PEEK`` so nothing is marked ``\Seen`` (a person watching
the mailbox still sees what is new), and moved with ``UID MOVE`` once handled. The security
setting is obeyed exactly: there is no silent fall-back to an unencrypted connection.
"""

from __future__ import annotations

import email.message
import imaplib
import ssl
from contextlib import suppress
from dataclasses import dataclass
from select import select as wait_readable
from typing import Any

from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage

from bot.settings import Settings

TIMEOUT_SECONDS = 60.0


class FetchedMessage(MailMessage):
    """A fetched message that keeps its bytes: they are parsed and hashed exactly as sent."""

    def __init__(self, fetch_data: list[Any]) -> None:
        raw, uid_data, flag_data = self._get_message_data_parts(fetch_data)
        self._raw_uid_data = uid_data
        self._raw_flag_data = flag_data
        self.raw: bytes = raw
        # imap-tools would parse the message again with the legacy policy; bot.mail.parse
        # reads ``raw`` with the modern one, so that second parse is skipped.
        self.obj = email.message.Message()


@dataclass(frozen=True)
class Folders:
    """Where replies arrive and where they go once handled."""

    inbox: str
    processed: str
    quarantine: str


def folders(settings: Settings) -> Folders:
    """The folders named in the settings."""
    return Folders(settings.imap_folder, settings.imap_processed_folder,
                   settings.imap_quarantine_folder)


def mailbox_name(settings: Settings) -> str:
    """The identity of the folder we read, used for dedupe records and the UID cursor."""
    return f"{settings.imap_username or ''}@{settings.imap_host}/{settings.imap_folder}"[:200]


def connect(settings: Settings) -> BaseMailBox:
    """Log in as the settings say (TLS, STARTTLS or, on trusted networks, plain)."""
    if not settings.imap_host:
        raise ValueError("CASHBACK_IMAP_HOST is not set")
    box: BaseMailBox
    if settings.imap_security == "tls":
        box = MailBox(settings.imap_host, settings.imap_port, timeout=TIMEOUT_SECONDS,
                      ssl_context=ssl.create_default_context())
    elif settings.imap_security == "starttls":
        box = MailBoxStartTls(settings.imap_host, settings.imap_port, timeout=TIMEOUT_SECONDS,
                              ssl_context=ssl.create_default_context())
    else:
        box = MailBoxUnencrypted(settings.imap_host, settings.imap_port,
                                 timeout=TIMEOUT_SECONDS)
    try:
        box.login(settings.imap_username or "", settings.imap_password or "",
                  initial_folder=None)
    except BaseException:
        # A refused login leaves the connection open; close it, or every retry leaks one.
        with suppress(Exception):
            box.client.shutdown()
        raise
    # imaplib keeps the capabilities announced before login; servers add MOVE and IDLE after.
    status, data = box.client.capability()
    if status == "OK" and data and isinstance(data[-1], bytes):
        box.client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
    box.email_message_class = FetchedMessage
    return box


def supports(box: BaseMailBox, capability: str) -> bool:
    """Whether the server announced a capability (after login)."""
    return capability.upper() in box.client.capabilities


def ensure_folders(box: BaseMailBox, wanted: Folders) -> None:
    """Create the folders that do not exist yet (a dedicated inbox may not, at first)."""
    for name in (wanted.inbox, wanted.processed, wanted.quarantine):
        if not box.folder.exists(name):
            box.folder.create(name)


def select(box: BaseMailBox, folder: str) -> int:
    """Open the folder read-write and return its UIDVALIDITY."""
    box.folder.set(folder)
    _name, values = box.client.response("UIDVALIDITY")
    if values and values[-1]:
        return int(values[-1])
    return int(box.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])


def new_uids(box: BaseMailBox, after: int) -> list[int]:
    """UIDs above ``after``, ascending (``n:*`` also returns the highest UID when below n)."""
    return sorted(uid for uid in map(int, box.uids(f"UID {after + 1}:*")) if uid > after)


def headers(box: BaseMailBox, uids: list[int]) -> dict[int, FetchedMessage]:
    r"""Headers and sizes of several messages in one command, without setting ``\Seen``."""
    found: dict[int, FetchedMessage] = {}
    for message in box.fetch(uid_list=[str(uid) for uid in uids], mark_seen=False,
                             headers_only=True, bulk=True):
        assert isinstance(message, FetchedMessage)
        if message.uid is not None:
            found[int(message.uid)] = message
    return found


def fetch(box: BaseMailBox, uid: int) -> FetchedMessage | None:
    r"""One whole message without setting ``\Seen``; None if it vanished meanwhile."""
    for message in box.fetch(uid_list=[str(uid)], mark_seen=False):
        assert isinstance(message, FetchedMessage)
        return message
    return None


def move(box: BaseMailBox, uids: list[int], folder: str) -> None:
    """``UID MOVE`` (imap-tools copies and deletes on servers without MOVE)."""
    box.move([str(uid) for uid in uids], folder)


def idle_responses(box: BaseMailBox, timeout: float) -> list[bytes]:
    """What the server said during IDLE within ``timeout``, read line by whole line.

    imap_tools' ``idle.poll`` reads from a non-blocking socket, so a response that arrives in
    two packets (pymap sends ``* 1 FETCH `` and its flags separately) aborts the connection
    as an "unterminated line". Here the socket is only waited on; once something arrived, the
    line is read in blocking mode (bounded by the connection's own timeout). An empty list
    soon after the call means the server closed the connection.
    """
    client = box.client
    if not wait_readable([client.sock], [], [], timeout)[0]:
        return []
    try:
        return [client._get_line()]
    except imaplib.IMAP4.abort as error:
        if "EOF" in str(error):
            return []
        raise
