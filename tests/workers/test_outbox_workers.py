"""Two outbox workers (``cashback run --only outbox``) at once: every notification once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from databases import Database
from sqlmodel import Session, select
from workers_support import (
    SECRET,
    BotApiThread,
    Worker,
    campaigns_folder,
    enrol,
    wait_for,
    workers,
)

from bot.sandbox_mail import CollectingHandler, LoopbackController
from storage.outbox import StatusChange, notify_status_changes
from storage.tables import ChatUser, Company, OutboxMessage
from storage.uow import UnitOfWork

CHANGES = 30
INSTALLER = 7_000_001


def queue_notifications(database: Database, now: datetime) -> None:
    """Two companies, one with a linked chat user; each change gives an e-mail and a chat row."""
    enrol(database.engine, now)
    with UnitOfWork(database.engine) as uow:
        ids = {c.customer_number: c.id for c in uow.session.exec(select(Company))}
        uow.session.add(ChatUser(telegram_user_id=INSTALLER, company_id=ids["C-100"],
                                 language="fr", verified=True, created_at=now))
        for n in range(CHANGES):
            company = ids["C-100" if n % 2 else "C-300"]
            assert company is not None
            notify_status_changes(uow.session, company_id=company, now=now, changes=[
                StatusChange(registration_id=1, serial=str(3_000_000_000 + n),
                             product_code="STP-SE", from_status=None,
                             to_status="pending_payment", amount_cents=10000)])
        uow.commit()


def rows(database: Database) -> list[OutboxMessage]:
    with Session(database.engine) as session:
        return list(session.exec(select(OutboxMessage)))


def test_two_outbox_workers_send_every_notification_exactly_once(
        database: Database, tmp_path: Path, smtp_server: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    queue_notifications(database, datetime.now(UTC))
    with BotApiThread() as telegram:
        telegram.world.add_user("Marie", "fr", user_id=INSTALLER)
        env = {"DATABASE_URL": database.url, "CASHBACK_DATA_DIR": str(tmp_path / "data"),
               "CASHBACK_CAMPAIGNS_DIR": str(campaigns_folder(tmp_path / "campaigns")),
               "CASHBACK_SMTP_HOST": "127.0.0.1", "CASHBACK_SMTP_PORT": str(smtp_server.port),
               "CASHBACK_SMTP_SECURITY": "none", "CASHBACK_MAIL_SIGNING_SECRET": SECRET,
               **telegram.env()}
        with workers(*(Worker(tmp_path / f"worker{n}", env, "--only", "outbox")
                       for n in (1, 2))) as started:
            wait_for(lambda: {row.state for row in rows(database)} == {"sent"},
                     "every row sent")
            codes = [worker.terminate() for worker in started]

    assert codes == [0, 0]
    sent = rows(database)
    emails = [row for row in sent if row.kind == "email"]
    assert len(emails) == CHANGES
    assert len(sent) == 2 * CHANGES
    assert [row.attempts for row in sent] == [1] * len(sent)
    received = Counter(str(item.message["Message-ID"]) for item in smtp_handler.received)
    assert received == {row.message_id: 1 for row in emails}
    chat = [output for output in telegram.world.outputs
            if output.method == "sendMessage" and output.chat_id == INSTALLER]
    assert len(chat) == CHANGES // 2  # the French company's changes, each told once
