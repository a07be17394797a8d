"""Reply pollers (``cashback run --only mail``) on one real IMAP mailbox (pymap).

Two at once handle each reply once; one stopped by SIGTERM in the middle of a batch finishes
that batch, and after a restart every reply is recorded exactly once.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from databases import Database, migrated_database
from sqlalchemy import text
from sqlmodel import Session, select
from workers_support import (
    IMAP_USER,
    INBOX,
    PROCESSED,
    Mailbox,
    Worker,
    ask_for_documents,
    campaigns_folder,
    enrol,
    imap_env,
    imap_server,
    reply_with_invoice,
    sampled_serials,
    wait_for,
    workers,
)

from bot.campaigns import campaign_files, load_campaigns
from storage.tables import (
    Document,
    InformationRequest,
    MailboxCursor,
    OutboxMessage,
    ProcessedEmail,
    Registration,
    StatusEvent,
)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with imap_server() as port:
        box = Mailbox(port)
        yield box
        box.close()


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Database]:
    """PostgreSQL only: the test holds a row lock the poller waits for."""
    with migrated_database("postgresql", tmp_path) as database:
        yield database


def requests_with_replies(database: Database, tmp_path: Path, mailbox: Mailbox,
                          count: int) -> dict[str, str]:
    """``count`` registrations waiting for documents, and a reply for each in the inbox."""
    folder = campaigns_folder(tmp_path / "campaigns")
    campaign = load_campaigns(campaign_files(folder))["fr-2026"]
    now = datetime.now(UTC)
    enrol(database.engine, now)
    serials = sampled_serials(campaign, 3_920_000_000, count)
    ask_for_documents(database.engine, campaign, "C-100", serials, now)
    with Session(database.engine) as session:
        references = {registration.serial: request.reference for request, registration in
                      session.exec(select(InformationRequest, Registration).where(
                          InformationRequest.registration_id == Registration.id))}
    for number, serial in enumerate(serials):
        mailbox.append(reply_with_invoice(references[serial], number))
    return references


def environment(database: Database, tmp_path: Path, mailbox: Mailbox) -> dict[str, str]:
    port = int(mailbox.box.client.port)
    return {"DATABASE_URL": database.url, "CASHBACK_DATA_DIR": str(tmp_path / "data"),
            "CASHBACK_CAMPAIGNS_DIR": str(tmp_path / "campaigns"), **imap_env(port)}


def processed_count(database: Database) -> int:
    with Session(database.engine) as session:
        return len(session.exec(select(ProcessedEmail.id)).all())


def assert_each_reply_handled_once(database: Database, mailbox: Mailbox,
                                   references: dict[str, str]) -> None:
    count = len(references)
    with Session(database.engine) as session:
        outcomes = Counter(row.outcome for row in session.exec(select(ProcessedEmail)))
        statuses = Counter(row.status for row in session.exec(select(Registration)))
        documents = Counter(row.registration_id for row in session.exec(select(Document)))
        reviews = Counter(row.registration_id for row in session.exec(
            select(StatusEvent).where(StatusEvent.to_status == "under_review")))
        acknowledgements = [row for row in session.exec(select(OutboxMessage))
                            if "under_review" in row.payload]
    assert outcomes == {"accepted": count}
    assert statuses == {"under_review": count}
    assert sorted(documents.values()) == [1] * count
    assert sorted(reviews.values()) == [1] * count
    assert len(acknowledgements) == 2 * count  # one e-mail and one chat notice per reply
    assert mailbox.count(INBOX) == 0
    assert mailbox.count(PROCESSED) == count


def test_two_reply_pollers_handle_each_reply_once(database: Database, tmp_path: Path,
                                                   mailbox: Mailbox) -> None:
    references = requests_with_replies(database, tmp_path, mailbox, 40)
    env = environment(database, tmp_path, mailbox)

    with workers(*(Worker(tmp_path / f"poller{n}", env, "--only", "mail")
                   for n in (1, 2))) as started:
        wait_for(lambda: processed_count(database) == len(references)
                 and mailbox.count(INBOX) == 0, "every reply handled and moved")
        # The other poller may still be starting when the first has done everything; a
        # signal is only a clean stop once the runner has taken it over.
        for worker in started:
            worker.wait_for_log("starting: ")
        codes = [worker.terminate() for worker in started]

    assert codes == [0, 0]
    assert_each_reply_handled_once(database, mailbox, references)


def test_sigterm_during_a_batch_of_replies_loses_and_doubles_nothing(
        postgres: Database, tmp_path: Path, mailbox: Mailbox) -> None:
    references = requests_with_replies(postgres, tmp_path, mailbox, 120)  # batches of 50
    env = environment(postgres, tmp_path, mailbox)
    mailbox_name = f"{IMAP_USER}@127.0.0.1/{INBOX}"
    with Session(postgres.engine) as session:
        session.add(MailboxCursor(mailbox=mailbox_name, uidvalidity=mailbox.uidvalidity(),
                                  last_uid=0, updated_at=datetime.now(UTC)))
        session.commit()
    # The test holds the cursor row: the poller records and moves its first batch, then
    # waits to advance the cursor, which is where it gets the SIGTERM.
    with postgres.engine.connect() as holder:
        holder.execute(text("SELECT id FROM mailbox_cursor FOR UPDATE"))
        with workers(Worker(tmp_path / "poller", env, "--only", "mail")) as (first,):
            wait_for(lambda: processed_count(postgres) == 50, "the first batch recorded")
            first.process.send_signal(signal.SIGTERM)
            first.wait_for_log("stop requested")
            holder.rollback()
            assert first.wait() == 0

    assert processed_count(postgres) == 50  # the batch in hand was finished, no more
    assert mailbox.count(INBOX) == 70
    with workers(Worker(tmp_path / "restarted", env, "--only", "mail")) as (again,):
        wait_for(lambda: processed_count(postgres) == len(references)
                 and mailbox.count(INBOX) == 0, "the rest handled after the restart")
        assert again.terminate() == 0
    assert_each_reply_handled_once(postgres, mailbox, references)
