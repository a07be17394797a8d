"""Outgoing mail against a real SMTP server (aiosmtpd) on loopback; nothing leaves the machine."""

from __future__ import annotations

import pytest
from shipped_campaigns import load_campaign

from core.campaign import Campaign


@pytest.fixture(scope="session")
def fr_campaign() -> Campaign:
    return load_campaign("fr-2026")


@pytest.fixture(scope="session")
def it_campaign() -> Campaign:
    return load_campaign("it-2026")
