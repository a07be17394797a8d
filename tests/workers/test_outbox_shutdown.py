"""SIGTERM to ``cashback run --only outbox`` in the middle of sending: that message is sent
and recorded, the others wait for the restart, and every one arrives exactly once."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from databases import Database
from workers_support import (
    PATIENCE,
    SECRET,
    Worker,
    campaigns_folder,
    outbox_rows,
    queue_notifications,
    wait_for,
    workers,
)

from bot.sandbox_mail import CollectingHandler, LoopbackController


class HeldHandler(CollectingHandler):
    """Holds the first message in DATA until the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if not self.sending.is_set():
            self.sending.set()
            await asyncio.to_thread(self.release.wait, PATIENCE)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_handler() -> CollectingHandler:
    return HeldHandler()


def test_sigterm_while_sending_finishes_that_message_and_loses_none(
        database: Database, tmp_path: Path, smtp_server: LoopbackController,
        smtp_handler: HeldHandler) -> None:
    queue_notifications(database.engine, datetime.now(UTC), chat_user=None)
    env = {"DATABASE_URL": database.url, "CASHBACK_DATA_DIR": str(tmp_path / "data"),
           "CASHBACK_CAMPAIGNS_DIR": str(campaigns_folder(tmp_path / "campaigns")),
           "CASHBACK_SMTP_HOST": "127.0.0.1", "CASHBACK_SMTP_PORT": str(smtp_server.port),
           "CASHBACK_SMTP_SECURITY": "none", "CASHBACK_MAIL_SIGNING_SECRET": SECRET}
    with workers(Worker(tmp_path / "outbox", env, "--only", "outbox")) as (first,):
        assert smtp_handler.sending.wait(PATIENCE), "the worker never sent"
        first.process.send_signal(signal.SIGTERM)
        first.wait_for_log("stop requested")
        smtp_handler.release.set()
        assert first.wait() == 0

    [held] = [row for row in outbox_rows(database.engine) if row.state != "pending"]
    assert (held.kind, held.state) == ("email", "sent")  # the message in hand, recorded
    assert len(smtp_handler.received) == 1
    with workers(Worker(tmp_path / "restarted", env, "--only", "outbox")) as (again,):
        wait_for(lambda: {row.state for row in outbox_rows(database.engine)} == {"sent"},
                 "the rest sent after the restart")
        assert again.terminate() == 0
    emails = [row for row in outbox_rows(database.engine) if row.kind == "email"]
    received = Counter(str(item.message["Message-ID"]) for item in smtp_handler.received)
    assert received == {row.message_id: 1 for row in emails}
