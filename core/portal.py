"""The Sunny Portal transfer rules (the flyers'): which exported device becomes a claim.

A device is transferred only when the portal user's profile carries, exactly, the customer
number of an enrolled company, and only when it was added to the portal after that number
was entered (no retroactive transfer). Products the campaign marks manual-only (SMA Home
Storage modules; in France the SMA EV Charger Business) are never transferred: the company
is told to register them itself. A customer number no enrolled company has is reported to
the operator, with the enrolled number it is one keystroke away from, if any. Pure: rows
and the enrolled companies come in, one decision per row goes out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.campaign import Campaign
from core.portal_export import BrokenRow, PortalExport, PortalRow
from core.template.products import ProductMatcher


class Handling(StrEnum):
    """What the import does with one row of the export."""

    TRANSFER = "transfer"
    NOT_RETROACTIVE = "not_retroactive"
    MANUAL_ONLY = "manual_only"
    NOT_IN_CAMPAIGN = "not_in_campaign"
    NO_CUSTOMER_NUMBER = "no_customer_number"
    UNKNOWN_CUSTOMER_NUMBER = "unknown_customer_number"
    MISTYPED_CUSTOMER_NUMBER = "mistyped_customer_number"
    BROKEN = "broken"


# Rows the operator must look at: nothing is transferred for them.
PROBLEMS = frozenset({Handling.UNKNOWN_CUSTOMER_NUMBER, Handling.MISTYPED_CUSTOMER_NUMBER,
                      Handling.BROKEN})


@dataclass(frozen=True)
class EnrolledCompany:
    """What the rules need of a company enrolled in a campaign."""

    customer_number: str
    campaign_code: str


@dataclass(frozen=True)
class Decision:
    """One row and what to do with it; product and day are set for the company's devices."""

    row: PortalRow | BrokenRow
    handling: Handling
    product_code: str | None = None
    installed_on: date | None = None
    did_you_mean: tuple[str, ...] = ()

    @property
    def customer_number(self) -> str:
        """The number as the portal user typed it."""
        return self.row.customer_number


def installation_day(row: PortalRow) -> date:
    """The commissioning date, or the day the device was added when the export has none."""
    return row.commissioned_on or row.added.day


def decide(export: PortalExport, enrolled: Mapping[str, EnrolledCompany],
           campaigns: Mapping[str, Campaign]) -> list[Decision]:
    """One decision per row of the export (broken rows included), in file order."""
    near = NearNumbers(enrolled)
    matchers = {code: ProductMatcher(campaign) for code, campaign in campaigns.items()}
    decisions = [Decision(row, Handling.BROKEN) for row in export.broken]
    for row in export.rows:
        decisions.append(_decide(row, enrolled, near, matchers, campaigns))
    decisions.sort(key=lambda d: d.row.row_number)
    return decisions


def _decide(row: PortalRow, enrolled: Mapping[str, EnrolledCompany], near: NearNumbers,
            matchers: Mapping[str, ProductMatcher], campaigns: Mapping[str, Campaign]) -> Decision:
    if not row.customer_number:
        return Decision(row, Handling.NO_CUSTOMER_NUMBER)
    company = enrolled.get(row.customer_number)
    if company is None:
        close = near.within_one(row.customer_number)
        return Decision(row, Handling.MISTYPED_CUSTOMER_NUMBER if close
                        else Handling.UNKNOWN_CUSTOMER_NUMBER, did_you_mean=close)
    campaign = campaigns.get(company.campaign_code)
    matcher = matchers.get(company.campaign_code)
    code = matcher.match(row.product) if matcher else None
    product = campaign.product(code) if campaign and code else None
    if product is None:
        return Decision(row, Handling.NOT_IN_CAMPAIGN)
    day = installation_day(row)
    if not product.portal_transfer:
        return Decision(row, Handling.MANUAL_ONLY, product.code, day)
    assert row.number_entered is not None, "a row with a number and no date is broken"
    if not row.added.not_before(row.number_entered):
        return Decision(row, Handling.NOT_RETROACTIVE, product.code, day)
    return Decision(row, Handling.TRANSFER, product.code, day)


class NearNumbers:
    """Enrolled customer numbers one edit (a digit changed, added or dropped) from another.

    Deletion neighbourhoods make each look-up a few dictionary probes instead of a comparison
    with every enrolled number, and each distinct unknown number is looked up once.
    """

    def __init__(self, numbers: Iterable[str]) -> None:
        self._numbers = set(numbers)
        self._dropped: dict[str, set[str]] = {}
        self._changed: dict[tuple[int, str], set[str]] = {}
        for number in self._numbers:
            for index in range(len(number)):
                shorter = number[:index] + number[index + 1:]
                self._dropped.setdefault(shorter, set()).add(number)
                self._changed.setdefault((index, shorter), set()).add(number)
        self._cache: dict[str, tuple[str, ...]] = {}

    def within_one(self, typed: str) -> tuple[str, ...]:
        """Enrolled numbers at edit distance exactly 1 from ``typed``, sorted."""
        if typed not in self._cache:
            found = set(self._dropped.get(typed, ()))  # the user dropped a character
            for index in range(len(typed)):
                shorter = typed[:index] + typed[index + 1:]
                if shorter in self._numbers:  # the user added a character
                    found.add(shorter)
                found |= self._changed.get((index, shorter), set())  # changed one
            found.discard(typed)
            self._cache[typed] = tuple(sorted(found))
        return self._cache[typed]
