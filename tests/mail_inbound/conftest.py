"""Fixtures of the reply tests: a real IMAP server, the assistant wired to it, companies."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from mail_support import (
    BOSS,
    IMAP_PASSWORD,
    IMAP_USER,
    OFFICE,
    PARIS,
    SECRET,
    Clock,
    ImapServer,
    Mailbox,
    imap_server,
)

from bot.bootstrap import App, bootstrap
from bot.settings import Settings
from storage.services.companies import CompanyRecord, import_companies

_folders = itertools.count(1)


@pytest.fixture(scope="session")
def idle_server() -> Iterator[ImapServer]:
    with imap_server(idle=True) as server:
        yield server


@pytest.fixture(scope="session")
def polling_server() -> Iterator[ImapServer]:
    with imap_server(idle=False) as server:
        yield server


@pytest.fixture
def server(idle_server: ImapServer) -> ImapServer:
    return idle_server


@pytest.fixture
def folder() -> str:
    """A folder of its own for each test, so the session's server can be shared."""
    return f"Test{next(_folders)}"


@pytest.fixture
def settings(tmp_path: Path, server: ImapServer, folder: str) -> Settings:
    return Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'cashback.sqlite3'}",
        imap_host="127.0.0.1", imap_port=server.port, imap_security="none",
        imap_username=IMAP_USER, imap_password=IMAP_PASSWORD, imap_folder=f"{folder}/Inbox",
        imap_processed_folder=f"{folder}/Processed",
        imap_quarantine_folder=f"{folder}/Quarantine", mail_signing_secret=SECRET,
        mail_sender_hourly_limit=30, mail_poll_seconds=0.2)


@pytest.fixture
def clock() -> Clock:
    """Monday 15 June 2026, 10:00 in Paris: inside both campaigns' validity."""
    return Clock(datetime(2026, 6, 15, 10, 0, tzinfo=PARIS))


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Iterator[App]:
    application = bootstrap(settings, clock=clock)
    with application.uow() as uow:
        import_companies(uow, now=clock(), records=[
            CompanyRecord("C-100", "Solaire Dupont SARL", "fr-2026", "fr", (OFFICE, BOSS)),
            CompanyRecord("C-300", "Rossi Impianti Srl", "it-2026", "it",
                          ("info@rossi.example",)),
        ])
    yield application
    application.engine.dispose()


@pytest.fixture
def mailbox(server: ImapServer) -> Iterator[Mailbox]:
    box = Mailbox(server)
    yield box
    box.close()
