"""500 e-mail replies, each with a 200 KB PDF, read from a real IMAP server end to end.

Setup, not timed: one enrolled company, 500 registrations the audit draw sends to
"information required" (so each has an open request), and 500 replies appended to the inbox
of a pymap server on loopback (``tests/mail_inbound/imap_server.py``, the same server the
end-to-end tests use), each from the company's registered address, to the request's
plus-address, with a 200 KB PDF attached (base64, about 270 KB on the wire).

Timed (the sender's hourly limit raised to 500): one ``ReplyPoller.poll_once`` pass, as
``cashback mail poll --once`` runs it: fetch headers and message (without ``\\Seen``), parse,
store the document, put the registration under review with its acknowledgement, commit,
``UID MOVE`` to the processed folder, advance the UID cursor. Result: replies per second and
milliseconds per reply.

    python -m benchmarks.bench_replies --backend sqlite|postgresql [--pg-url URL]
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

from imap_tools import MailBoxUnencrypted
from sqlalchemy import Engine, func
from sqlmodel import select

from benchmarks.support import (
    REPO,
    arguments,
    emit,
    fresh_engine,
    load_campaign,
    log,
    server_version,
    stopping_cleanly,
)
from bot.bootstrap import App
from bot.mail.inbound import ReplyPoller
from bot.settings import Settings
from core.eligibility import in_audit_sample
from core.statuses import Channel
from storage.documents import DocumentStore
from storage.services.companies import CompanyRecord, import_companies
from storage.services.registrations import ClaimInput, register_many
from storage.tables import InformationRequest, Registration
from storage.uow import UnitOfWork

NAME = "replies"
REPLIES = 500
PDF_BYTES = 200 * 1024
NOW = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
SENDER = "office@installer.example"
IMAP_SERVER = REPO / "tests" / "mail_inbound" / "imap_server.py"
USER, PASSWORD = "bench", "bench-password"


@contextmanager
def imap_server() -> Iterator[int]:
    """pymap on a loopback port, in its own process; stopped (only it) at the end."""
    process = subprocess.Popen([sys.executable, str(IMAP_SERVER), USER, PASSWORD],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline().split()[1])
    finally:
        process.terminate()
        process.wait()


def requests_waiting(engine: Engine) -> list[str]:
    """Register sampled serials for the company; their requests' references."""
    campaign = load_campaign()
    serials: list[str] = []
    number = 3_500_000_000
    while len(serials) < REPLIES:
        if in_audit_sample(str(number), campaign):
            serials.append(str(number))
        number += 1
    with UnitOfWork(engine) as uow:
        import_companies(uow, now=NOW, records=[
            CompanyRecord("C-1", "Solaire Dupont SARL", "fr-2026", "fr", (SENDER,))])
    for start in range(0, REPLIES, 100):
        with UnitOfWork(engine) as uow:
            register_many(uow, campaign=campaign, customer_number="C-1", now=NOW,
                          channel=Channel.TEMPLATE, actor="bench",
                          claims=[ClaimInput(s, "STP-SE", NOW.date())
                                  for s in serials[start:start + 100]])
    with UnitOfWork(engine) as uow:
        return list(uow.session.exec(select(InformationRequest.reference)).all())


def reply(reference: str, number: int) -> bytes:
    """A reply as a mail client sends it: text and a PDF attachment."""
    pdf = b"%PDF-1.7\n" + os.urandom(PDF_BYTES - 9)
    return (f"From: Jean Dupont <{SENDER}>\r\nTo: cashback+{reference}@cashback.example\r\n"
            f"Subject: Re: [CB-{reference}] documents\r\nMessage-ID: <bench-{number}@x>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFacture jointe.\r\n"
            "--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; filename=facture-{number}.pdf\r\n\r\n").encode() \
        + base64.encodebytes(pdf).replace(b"\n", b"\r\n") + b"--b--\r\n"


def main() -> None:
    """Measure once and print the result line."""
    options = arguments(__doc__ or NAME).parse_args()
    with stopping_cleanly(), fresh_engine(options.backend, options.pg_url) as engine, \
            tempfile.TemporaryDirectory(prefix="cashback-bench-") as folder, \
            imap_server() as port:
        references = requests_waiting(engine)
        log(f"{len(references)} requests waiting; appending {REPLIES} replies")
        client = MailBoxUnencrypted("127.0.0.1", port).login(USER, PASSWORD)
        for number, reference in enumerate(references):
            client.append(reply(reference, number), "INBOX")
        client.logout()
        settings = Settings(data_dir=Path(folder), imap_host="127.0.0.1", imap_port=port,
                            imap_security="none", imap_username=USER, imap_password=PASSWORD,
                            mail_sender_hourly_limit=REPLIES,
                            mail_signing_secret="benchmark-signing-secret-0123456789abcdef")
        app = App(settings=settings, engine=engine, campaigns={"fr-2026": load_campaign()},
                  documents=DocumentStore(Path(folder) / "documents"),
                  clock=lambda: datetime.now(UTC))
        started = perf_counter()
        counts = ReplyPoller(app).poll_once()
        seconds = perf_counter() - started
        with UnitOfWork(engine) as uow:
            under_review = uow.session.exec(select(func.count()).select_from(Registration)
                                            .where(Registration.status == "under_review")).one()
        if counts["accepted"] != REPLIES or under_review != REPLIES:
            raise SystemExit(f"expected {REPLIES} accepted replies, got {dict(counts)}, "
                             f"{under_review} under review")
        log(f"{REPLIES} replies in {seconds:.2f} s")
        emit(NAME, options.backend, {
            "replies_per_s": round(REPLIES / seconds, 1),
            "ms_per_reply": round(seconds * 1000 / REPLIES, 2),
            "database": server_version(engine)})


if __name__ == "__main__":
    main()
