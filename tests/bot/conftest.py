"""The command-line tests' sandbox; the test modules that need it say so with ``usefixtures``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A sandbox of its own per test: data folder, demo companies and devices (master data)."""
    for name in ("DATABASE_URL", "CASHBACK_DATABASE_URL", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASHBACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--once"]) == 0
    return tmp_path
