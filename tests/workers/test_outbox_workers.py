"""Two outbox workers (``cashback run --only outbox``) at once: every notification once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from databases import Database
from workers_support import (
    CHANGES,
    SECRET,
    BotApiThread,
    Worker,
    campaigns_folder,
    outbox_rows,
    queue_notifications,
    wait_for,
    workers,
)

from bot.sandbox_mail import CollectingHandler, LoopbackController

INSTALLER = 7_000_001


def test_two_outbox_workers_send_every_notification_exactly_once(
        database: Database, tmp_path: Path, smtp_server: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    queue_notifications(database.engine, datetime.now(UTC), chat_user=INSTALLER)
    with BotApiThread() as telegram:
        telegram.world.add_user("Marie", "fr", user_id=INSTALLER)
        env = {"DATABASE_URL": database.url, "CASHBACK_DATA_DIR": str(tmp_path / "data"),
               "CASHBACK_CAMPAIGNS_DIR": str(campaigns_folder(tmp_path / "campaigns")),
               "CASHBACK_SMTP_HOST": "127.0.0.1", "CASHBACK_SMTP_PORT": str(smtp_server.port),
               "CASHBACK_SMTP_SECURITY": "none", "CASHBACK_MAIL_SIGNING_SECRET": SECRET,
               **telegram.env()}
        with workers(*(Worker(tmp_path / f"worker{n}", env, "--only", "outbox")
                       for n in (1, 2))) as started:
            wait_for(lambda: {row.state for row in outbox_rows(database.engine)} == {"sent"},
                     "every row sent")
            codes = [worker.terminate() for worker in started]

    assert codes == [0, 0]
    sent = outbox_rows(database.engine)
    emails = [row for row in sent if row.kind == "email"]
    assert len(emails) == CHANGES
    assert len(sent) == 2 * CHANGES
    assert [row.attempts for row in sent] == [1] * len(sent)
    received = Counter(str(item.message["Message-ID"]) for item in smtp_handler.received)
    assert received == {row.message_id: 1 for row in emails}
    chat = [output for output in telegram.world.outputs
            if output.method == "sendMessage" and output.chat_id == INSTALLER]
    assert len(chat) == CHANGES // 2  # the French company's changes, each told once

