"""Real ``cashback run --only ...`` processes for the multi-process tests, and their peers.

Each worker is a subprocess with its own settings in the environment, pointing at the test's
database (a PostgreSQL schema travels in the URL) and at loopback servers the test runs: an
SMTP sink, a pymap IMAP server, the sandbox Bot API server. Waiting is on conditions, with a
patience far above what any step takes; it only ends a broken test.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import pytest
from imap_tools import MailBoxUnencrypted
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from core.campaign import Campaign
from core.eligibility import in_audit_sample
from core.statuses import Channel
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import World
from storage.outbox import StatusChange, notify_status_changes
from storage.services.companies import CompanyRecord, import_companies
from storage.services.registrations import ClaimInput, register_many
from storage.tables import ChatUser, Company, OutboxMessage
from storage.uow import UnitOfWork

PROJECT = Path(__file__).resolve().parents[2]
PATIENCE = 180.0  # seconds; the machine may be busy with other work, never a limit under test
SECRET = "workers-test-signing-secret-0123456789"
TOKEN = "123456:workers-test-token"
T = TypeVar("T")


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Until ``condition()`` holds; fail the test (naming ``what``) only after PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited in vain for {what}")
        time.sleep(0.05)


def campaigns_folder(folder: Path) -> Path:
    """The shipped campaigns with a validity wide enough for the workers' real clock."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in (PROJECT / "campaigns").glob("*.toml"):
        text = source.read_text(encoding="utf-8")
        text = re.sub(r"first_installation_day = \S+", "first_installation_day = 2020-01-01", text)
        text = re.sub(r"last_installation_day = \S+", "last_installation_day = 2099-12-31", text)
        text = re.sub(r"last_registration_day = \S+", "last_registration_day = 2099-12-31", text)
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder


class Worker:
    """One ``cashback run`` process; its log (stderr) and output go to files in ``folder``."""

    def __init__(self, folder: Path, env: dict[str, str], *args: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "stderr.log"
        self.out_path = folder / "stdout.log"
        clean = {key: value for key, value in os.environ.items()
                 if not key.startswith(("CASHBACK_", "TELEGRAM_", "DATABASE_URL"))}
        with self.log_path.open("wb") as log, self.out_path.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run", "--lang", "en", *args],
                cwd=folder, env={**clean, "CASHBACK_LOG_LEVEL": "INFO", **env},
                stdout=out, stderr=log)

    def log(self) -> str:
        """Everything the process logged so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str) -> None:
        """Until the process logged ``text`` (or died, which fails the test)."""
        def logged() -> bool:
            if self.process.poll() is not None and text not in self.log():
                pytest.fail(f"the worker ended ({self.process.returncode}) before logging "
                            f"{text!r}:\n{self.log()[-3000:]}")
            return text in self.log()
        wait_for(logged, f"the log line {text!r}")

    def terminate(self) -> int:
        """SIGTERM, then the exit code once the process has finished what it had in hand."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.wait()

    def wait(self) -> int:
        """The exit code, once the process ended by itself."""
        try:
            return self.process.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the worker did not stop:\n{self.log()[-3000:]}")


@contextmanager
def workers(*running: Worker) -> Iterator[tuple[Worker, ...]]:
    """Make sure no worker outlives its test, even a failing one."""
    try:
        yield running
    finally:
        for worker in running:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()


class BotApiThread:
    """The sandbox Bot API server in a thread with its own event loop, for synchronous tests."""

    def __init__(self, server_class: type[BotApiServer] = BotApiServer) -> None:
        self.world = World(token=TOKEN)
        self.loop = asyncio.new_event_loop()
        self.server = server_class(self.world)
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> BotApiThread:
        self._thread.start()
        self.call(self.server.start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.call(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine in the server's loop and wait for its result."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(PATIENCE)

    def env(self) -> dict[str, str]:
        """The settings that point a worker's bot at this server."""
        return {"TELEGRAM_BOT_TOKEN": TOKEN,
                "CASHBACK_TELEGRAM_BASE_URL": self.server.base_url,
                "CASHBACK_TELEGRAM_BASE_FILE_URL": self.server.base_file_url}


def sampled_serials(campaign: Campaign, start: int, count: int) -> list[str]:
    """Serials the audit draw picks, so registering them opens an information request."""
    found: list[str] = []
    number = start
    while len(found) < count:
        if in_audit_sample(str(number), campaign):
            found.append(str(number))
        number += 1
    return found


def ask_for_documents(engine: Engine, campaign: Campaign, customer_number: str,
                      serials: list[str], now: datetime) -> None:
    """Register audited serials at ``now``: each waits for documents, due 14 days later."""
    with UnitOfWork(engine) as uow:
        register_many(uow, campaign=campaign, customer_number=customer_number, now=now,
                      claims=[ClaimInput(s, "STP-SE", now.date()) for s in serials],
                      channel=Channel.TEMPLATE, actor="test")


def enrol(engine: Engine, now: datetime) -> None:
    """A French company with two registered addresses and an Italian one."""
    with UnitOfWork(engine) as uow:
        import_companies(uow, now=now, records=[
            CompanyRecord("C-100", "Solaire Dupont SARL", "fr-2026", "fr",
                          ("office@installer.example", "boss@installer.example")),
            CompanyRecord("C-300", "Rossi Impianti Srl", "it-2026", "it", ("info@rossi.example",)),
        ])


IMAP_USER, IMAP_PASSWORD = "cashback", "imap-test-password"
INBOX, PROCESSED = "Replies/Inbox", "Replies/Processed"


@contextmanager
def imap_server() -> Iterator[int]:
    """pymap on loopback in its own process (``tests/mail_inbound/imap_server.py``); its port."""
    script = PROJECT / "tests" / "mail_inbound" / "imap_server.py"
    process = subprocess.Popen([sys.executable, str(script), IMAP_USER, IMAP_PASSWORD],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"pymap did not start: {line!r}")
        yield int(line.split()[1])
    finally:
        process.terminate()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def imap_env(port: int) -> dict[str, str]:
    """The settings that point a worker's reply poller at the test's IMAP server."""
    return {"CASHBACK_IMAP_HOST": "127.0.0.1", "CASHBACK_IMAP_PORT": str(port),
            "CASHBACK_IMAP_SECURITY": "none", "CASHBACK_IMAP_USERNAME": IMAP_USER,
            "CASHBACK_IMAP_PASSWORD": IMAP_PASSWORD, "CASHBACK_IMAP_FOLDER": INBOX,
            "CASHBACK_IMAP_PROCESSED_FOLDER": PROCESSED,
            "CASHBACK_IMAP_QUARANTINE_FOLDER": "Replies/Quarantine",
            "CASHBACK_MAIL_SIGNING_SECRET": SECRET, "CASHBACK_MAIL_POLL_SECONDS": "0.2",
            "CASHBACK_MAIL_SENDER_HOURLY_LIMIT": "100000"}


def reply_with_invoice(reference: str, number: int) -> bytes:
    """A company's reply naming ``reference``, with a PDF invoice of its own."""
    message = EmailMessage()
    message["From"] = "Marie Dupont <office@installer.example>"
    message["To"] = f"cashback+{reference}@cashback.example"
    message["Subject"] = f"Re: [CB-{reference}] Documents"
    message["Message-ID"] = f"<reply-{number}-{reference}@installer.example>"
    message["Date"] = "Tue, 16 Jun 2026 10:02:17 +0200"
    message.set_content("Bonjour, voici la facture.\n")
    message.add_attachment(b"%PDF-1.4\n%% invoice " + str(number).encode() + b"\n%%EOF\n",
                           maintype="application", subtype="pdf",
                           filename=f"facture-{number}.pdf")
    return message.as_bytes()


class Mailbox:
    """The test's own IMAP client: puts replies in, counts where they are."""

    def __init__(self, port: int) -> None:
        self.box = MailBoxUnencrypted("127.0.0.1", port)
        self.box.login(IMAP_USER, IMAP_PASSWORD, initial_folder=None)
        for folder in (INBOX, PROCESSED):
            if not self.box.folder.exists(folder):
                self.box.folder.create(folder)

    def close(self) -> None:
        self.box.logout()

    def append(self, raw: bytes) -> None:
        self.box.append(raw, INBOX)

    def count(self, folder: str) -> int:
        status = self.box.folder.status(folder, ["MESSAGES"])
        return int(status["MESSAGES"])

    def uidvalidity(self) -> int:
        return int(self.box.folder.status(INBOX, ["UIDVALIDITY"])["UIDVALIDITY"])


CHANGES = 30  # status changes queued for the outbox tests: one e-mail and one chat row each


def queue_notifications(engine: Engine, now: datetime, *, chat_user: int | None) -> None:
    """Two companies (the French one with ``chat_user`` linked, if given), CHANGES changes."""
    enrol(engine, now)
    with UnitOfWork(engine) as uow:
        ids = {c.customer_number: c.id for c in uow.session.exec(select(Company))}
        if chat_user is not None:
            uow.session.add(ChatUser(telegram_user_id=chat_user, company_id=ids["C-100"],
                                     language="fr", verified=True, created_at=now))
        for n in range(CHANGES):
            company = ids["C-100" if n % 2 else "C-300"]
            assert company is not None
            notify_status_changes(uow.session, company_id=company, now=now, changes=[
                StatusChange(registration_id=1, serial=str(3_000_000_000 + n),
                             product_code="STP-SE", from_status=None,
                             to_status="pending_payment", amount_cents=10000)])
        uow.commit()


def outbox_rows(engine: Engine) -> list[OutboxMessage]:
    """Every outbox row, freshly read."""
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))
