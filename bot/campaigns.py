"""Reading the campaign files from the configured folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.campaign import Campaign, CampaignError, parse_campaign_toml


def load_campaign_file(path: Path) -> Campaign:
    """One campaign file, validated; errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CampaignError(str(path), "(file)", f"cannot be read: {error}") from error
    campaign = parse_campaign_toml(text, str(path))
    if campaign.code != path.stem:
        raise CampaignError(str(path), "code",
                            f"{campaign.code!r} differs from the file name {path.stem!r}")
    return campaign


def load_campaigns(paths: Iterable[Path]) -> dict[str, Campaign]:
    """Several campaign files by code; the first invalid one stops with its message."""
    campaigns: dict[str, Campaign] = {}
    for path in sorted(paths):
        campaign = load_campaign_file(path)
        if campaign.code in campaigns:
            raise CampaignError(str(path), "code", f"duplicate campaign code {campaign.code!r}")
        campaigns[campaign.code] = campaign
    return campaigns


def campaign_files(folder: Path) -> list[Path]:
    """The campaign files in a folder."""
    return sorted(folder.glob("*.toml"))
