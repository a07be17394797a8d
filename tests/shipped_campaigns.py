"""The campaign files the project ships, loaded for tests of every layer."""

from __future__ import annotations

from pathlib import Path

from core.campaign import Campaign, parse_campaign_toml

CAMPAIGNS = Path(__file__).resolve().parent.parent / "campaigns"


def load_campaign(code: str) -> Campaign:
    """Load one shipped campaign file the way the application does."""
    path = CAMPAIGNS / f"{code}.toml"
    return parse_campaign_toml(path.read_text(encoding="utf-8"), str(path))
