"""Outgoing mail against a real SMTP server (aiosmtpd) on loopback; nothing leaves the machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox_mail import CollectingHandler, LoopbackController
from core.campaign import Campaign, parse_campaign_toml

CAMPAIGNS = Path(__file__).resolve().parents[2] / "campaigns"


@pytest.fixture
def smtp_handler() -> CollectingHandler:
    return CollectingHandler()


@pytest.fixture
def smtp_server(smtp_handler: CollectingHandler) -> Iterator[LoopbackController]:
    controller = LoopbackController(smtp_handler)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def load_campaign(code: str) -> Campaign:
    path = CAMPAIGNS / f"{code}.toml"
    return parse_campaign_toml(path.read_text(encoding="utf-8"), str(path))


@pytest.fixture(scope="session")
def fr_campaign() -> Campaign:
    return load_campaign("fr-2026")


@pytest.fixture(scope="session")
def it_campaign() -> Campaign:
    return load_campaign("it-2026")
