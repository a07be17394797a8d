"""Helpers for the reply tests: the corpus, a real IMAP server, and a mailbox client."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from imap_tools import MailBoxUnencrypted
from sqlmodel import col, select

from bot.bootstrap import App
from bot.mail.inbound import ReplyPoller
from bot.mail.references import message_id
from core.campaign import Campaign
from core.eligibility import in_audit_sample
from core.statuses import Channel
from storage.services.registrations import ClaimInput, register_many
from storage.tables import (
    Document,
    InformationRequest,
    OutboxMessage,
    ProcessedEmail,
    Registration,
    StatusEvent,
)

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
PARIS = ZoneInfo("Europe/Paris")
SECRET = "test-signing-secret-0123456789abcdef"
DOMAIN = "cashback.example"
IMAP_USER, IMAP_PASSWORD = "cashback", "imap-test-password"
OFFICE, BOSS = "office@installer.example", "boss@installer.example"


def corpus(name: str, *, reference: str = "0A1B2C3D4E5F", outbox_id: int = 7) -> bytes:
    """A corpus message with the request's reference and our signed Message-ID filled in."""
    raw = (CORPUS / name).read_bytes()
    return (raw.replace(b"{{REF}}", reference.encode())
            .replace(b"{{OUR_MESSAGE_ID}}", our_message_id(outbox_id).encode()))


def our_message_id(outbox_id: int) -> str:
    """The Message-ID the outgoing side gives the e-mail of one outbox row."""
    return message_id(outbox_id, SECRET, DOMAIN)


def sampled_serials(campaign: Campaign, start: int, count: int) -> Iterator[str]:
    """Serials the audit draw picks, so registering them opens an information request."""
    number = start
    found = 0
    while found < count:
        if in_audit_sample(str(number), campaign):
            found += 1
            yield str(number)
        number += 1


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class ImapServer:
    """A pymap server (in-memory backend) listening on loopback."""

    port: int
    idle: bool


@contextmanager
def imap_server(*, idle: bool = True) -> Iterator[ImapServer]:
    """Start ``imap_server.py`` in its own process; stop it (only it) at the end."""
    command = [sys.executable, str(HERE / "imap_server.py"), IMAP_USER, IMAP_PASSWORD]
    process = subprocess.Popen(command + ([] if idle else ["--no-idle"]),
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"pymap did not start: {line!r}")
        yield ImapServer(int(line.split()[1]), idle)
    finally:
        process.terminate()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


class Mailbox:
    """The test's own IMAP client: puts messages in, looks at where they went."""

    def __init__(self, server: ImapServer) -> None:
        self.box = MailBoxUnencrypted("127.0.0.1", server.port)
        self.box.login(IMAP_USER, IMAP_PASSWORD, initial_folder=None)

    def close(self) -> None:
        self.box.logout()

    def append(self, raw: bytes, folder: str) -> None:
        if not self.box.folder.exists(folder):
            self.box.folder.create(folder)
        self.box.append(raw, folder)

    def messages(self, folder: str) -> list[tuple[bytes, tuple[str, ...]]]:
        """Raw bytes and flags of every message in a folder (an absent folder is empty)."""
        if not self.box.folder.exists(folder):
            return []
        self.box.folder.set(folder, readonly=True)
        found: list[tuple[bytes, tuple[str, ...]]] = []
        for uid in self.box.uids("ALL"):
            _status, data = self.box.client.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
            parts = [item for item in data if isinstance(item, tuple)]
            meta = parts[0][0] + b" ".join(item for item in data if isinstance(item, bytes))
            found.append((parts[0][1], tuple(
                flag for flag in ("\\Seen", "\\Deleted") if flag.encode() in meta)))
        self.box.client.close()  # pymap has no UNSELECT; CLOSE on EXAMINE expunges nothing
        return found

    def count(self, folder: str) -> int:
        return len(self.messages(folder))


# The assistant's side: requests waiting for documents, and what a pass left behind.

_serials = iter(range(3_900_000_000, 4_000_000_000, 1000))


@dataclass(frozen=True)
class Request:
    """A registration waiting for documents, and the e-mail that asked for them."""

    serial: str
    reference: str
    outbox_id: int


def ask(app: App, count: int = 1) -> list[Request]:
    """Register sampled serials in one go, as a template would: one request e-mail."""
    campaign = app.campaign("fr-2026")
    serials = list(sampled_serials(campaign, next(_serials), count))
    with app.uow() as uow:
        register_many(uow, campaign=campaign, customer_number="C-100", now=app.clock(),
                      claims=[ClaimInput(s, "STP-SE", app.clock().date()) for s in serials],
                      channel=Channel.TEMPLATE, actor="chat:1")
    found = []
    with app.uow() as uow:
        for serial in serials:
            registration = uow.session.exec(
                select(Registration).where(Registration.serial == serial)).one()
            request = uow.session.exec(select(InformationRequest).where(
                InformationRequest.registration_id == registration.id)).one()
            [outbox] = [row for row in uow.session.exec(select(OutboxMessage).where(
                OutboxMessage.kind == "email")) if request.reference in row.payload]
            assert outbox.id is not None
            found.append(Request(serial, request.reference, outbox.id))
    return found


def status(app: App, serial: str) -> str:
    with app.uow() as uow:
        return uow.session.exec(select(Registration.status)
                                .where(Registration.serial == serial)).one()


def table(app: App, kind: type[Document] | type[ProcessedEmail] | type[StatusEvent]
          | type[OutboxMessage]) -> list[object]:
    with app.uow() as uow:
        return list(uow.session.exec(select(kind)).all())


def documents(app: App) -> list[tuple[str, str]]:
    with app.uow() as uow:
        return [(d.filename, d.content_type) for d in uow.session.exec(
            select(Document).order_by(col(Document.id)))]


def answers(app: App) -> list[dict[str, object]]:
    with app.uow() as uow:
        return [json.loads(row.payload) for row in uow.session.exec(
            select(OutboxMessage).where(OutboxMessage.topic == "reply_rejected"))]


def processed(app: App) -> list[tuple[str, str | None]]:
    with app.uow() as uow:
        return [(row.outcome, row.reason) for row in uow.session.exec(
            select(ProcessedEmail).order_by(col(ProcessedEmail.id)))]


def deliver(app: App, mailbox: Mailbox, raw: bytes) -> None:
    mailbox.append(raw, app.settings.imap_folder)


def poll(app: App) -> dict[str, int]:
    return dict(ReplyPoller(app).poll_once())
