"""SIGTERM to ``cashback run --only bot`` while it handles a template: finished, stored once.

The local Bot API server holds the bot's download of the uploaded file until the process has
been told to stop, so the signal lands in the middle of the import every time.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from databases import Database
from sqlmodel import Session, select
from workers_support import (
    PATIENCE,
    BotApiThread,
    Worker,
    campaigns_folder,
    enrol,
    wait_for,
    workers,
)

from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import JSON
from storage.tables import ChatUser, Company, ImportBatch, Registration

INSTALLER = 7_000_002
ROWS = 300


class HeldDownloads(BotApiServer):
    """Serves a file only once the test says so; tells the test when the bot asked."""

    downloading = threading.Event()
    release = threading.Event()

    async def _file(self, request: web.Request) -> web.Response:
        self.downloading.set()
        await asyncio.to_thread(self.release.wait, PATIENCE)
        return await super()._file(request)


def link_installer(database: Database, now: datetime) -> None:
    with Session(database.engine) as session:
        company = session.exec(select(Company).where(Company.customer_number == "C-100")).one()
        session.add(ChatUser(telegram_user_id=INSTALLER, company_id=company.id, language="fr",
                             verified=True, created_at=now))
        session.commit()


def template_csv() -> bytes:
    lines = ["Numéro de série;Produit;Date d'installation"]
    lines += [f"{3_950_000_000 + n};STP-SE;01/06/2026" for n in range(ROWS)]
    return "\r\n".join(lines).encode("utf-8")


async def send_template(telegram: BotApiThread) -> None:
    world = telegram.world
    user = world.add_user("Marie", "fr", user_id=INSTALLER)
    stored = world.store_file(template_csv(), "documents", "appareils.csv")
    document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                      "file_name": "appareils.csv", "file_size": stored.size,
                      "mime_type": "text/csv"}
    await world.push("message", world.user_message(user, world.chats[INSTALLER],
                                                   document=document))


def stored(database: Database) -> tuple[int, int]:
    """Registrations and import batches in the database."""
    with Session(database.engine) as session:
        return (len(session.exec(select(Registration.id)).all()),
                len(session.exec(select(ImportBatch.id)).all()))


def test_sigterm_during_a_template_import_loses_and_doubles_nothing(
        database: Database, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    enrol(database.engine, now)
    link_installer(database, now)
    HeldDownloads.downloading.clear()
    HeldDownloads.release.clear()
    with BotApiThread(HeldDownloads) as telegram:
        env = {"DATABASE_URL": database.url, "CASHBACK_DATA_DIR": str(tmp_path / "data"),
               "CASHBACK_CAMPAIGNS_DIR": str(campaigns_folder(tmp_path / "campaigns")),
               **telegram.env()}
        world = telegram.world
        with workers(Worker(tmp_path / "bot", env, "--only", "bot")) as (first,):
            telegram.call(send_template(telegram))
            assert HeldDownloads.downloading.wait(PATIENCE), "the bot never fetched the file"
            first.process.send_signal(signal.SIGTERM)
            first.wait_for_log("stop requested")
            HeldDownloads.release.set()
            assert first.wait() == 0

        answered = [o for o in world.outputs if o.chat_id == INSTALLER]
        assert stored(database) == (ROWS, 1)
        assert [o.method for o in answered].count("sendDocument") == 1  # the result workbook
        assert "300" in answered[-2].message["text"]  # the summary the progress became
        assert world.pending == []  # the update was confirmed, Telegram will not resend it

        mark = len(world.calls)
        with workers(Worker(tmp_path / "restarted", env, "--only", "bot")) as (again,):
            wait_for(lambda: world.calls[mark:].count("getUpdates") >= 2,
                     "the restarted bot polling")
            assert again.terminate() == 0

    assert stored(database) == (ROWS, 1)
    assert [o.method for o in world.outputs if o.chat_id == INSTALLER] == \
        [o.method for o in answered]  # nothing handled twice after the restart
