"""Reading a device claim from what people type on a phone.

``3000000007 STP-SE 15/06/2026`` in one line, or serials one per line; the product as a code,
as its name in any language, or with a small typo; the date in any way the template reader
understands (``15/06/2026``, ``15.06.26``, ``2026-06-15``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.campaign import Campaign
from core.template.dates import parse_date
from core.template.products import ProductMatcher

MAX_SERIALS = 20


@dataclass(frozen=True)
class OneLine:
    """A whole claim typed in one line; the product may be missing or unknown."""

    serial: str
    product_text: str
    installed_on: date


def parse_one_line(text: str) -> OneLine | None:
    """``SERIAL [PRODUCT] DATE`` on a single line, or None if it is not that."""
    if "\n" in text.strip():
        return None
    tokens = text.split()
    if len(tokens) < 2:
        return None
    installed_on = parse_date(tokens[-1])
    if installed_on is None:
        return None
    return OneLine(tokens[0], " ".join(tokens[1:-1]), installed_on)


def serial_lines(text: str) -> list[str]:
    """One serial per non-empty line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def match_product(campaign: Campaign, text: str) -> str | None:
    """The campaign product code ``text`` designates, if exactly one."""
    if not text.strip():
        return None
    by_code = {code.casefold(): code for code in campaign.products}
    return by_code.get(text.strip().casefold()) or ProductMatcher(campaign).match(text)


def parse_day(text: str) -> date | None:
    """A typed installation date."""
    return parse_date(text.strip())
