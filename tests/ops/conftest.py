"""Fixtures of the operations tests: a clean sandbox environment, real servers on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ops_support import BOT_TOKEN, IMAP_PASSWORD, IMAP_USER, TESTS, BotApiThread, ImapAccount

from sandbox.botapi.server import BotApiServer


@pytest.fixture
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No setting from the machine: the sandbox, with its data in a temporary folder."""
    for name in list(os.environ):
        if name.startswith(("CASHBACK_", "TELEGRAM_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("CASHBACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def bot_api() -> Iterator[BotApiServer]:
    """A local Bot API server that knows the bot of :data:`BOT_TOKEN`."""
    thread = BotApiThread(BOT_TOKEN)
    thread.start()
    try:
        yield thread.server
    finally:
        thread.stop()


@pytest.fixture
def imap_account() -> Iterator[ImapAccount]:
    """pymap on loopback, in a process of its own (the reply tests' server)."""
    with subprocess.Popen([sys.executable, str(TESTS / "mail_inbound" / "imap_server.py"),
                           IMAP_USER, IMAP_PASSWORD], stdout=subprocess.PIPE,
                          text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("PORT "), line
            yield ImapAccount(int(line.split()[1]))
        finally:
            process.terminate()
