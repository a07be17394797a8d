"""Shared fixtures for the pure core: the shipped campaigns, master data, claims."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from shipped_campaigns import CAMPAIGNS, load_campaign

from core.campaign import Campaign
from core.eligibility import Claim, CompanyFacts, in_audit_sample
from core.masterdata import Device, InMemoryMasterData
from core.statuses import Channel

PARIS = ZoneInfo("Europe/Paris")


def first_serial(campaign: Campaign, start: int, *, sampled: bool) -> str:
    """The first ten-digit serial from ``start`` on that is (or is not) in the audit sample."""
    number = start
    while in_audit_sample(str(number), campaign) is not sampled:
        number += 1
    return str(number)


@pytest.fixture(scope="session")
def fr_campaign() -> Campaign:
    return load_campaign("fr-2026")


@pytest.fixture(scope="session")
def it_campaign() -> Campaign:
    return load_campaign("it-2026")


@pytest.fixture(scope="session")
def fr_text() -> str:
    return (CAMPAIGNS / "fr-2026.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def known(fr_campaign: Campaign) -> dict[str, str]:
    """Serials in the test master data, chosen so that the fr-2026 audit draw does not interfere.

    ``foreign`` is a product outside the campaign, ``sampled`` an STP-SE that the audit draw
    picks, ``early`` an STP-SE produced on 2026-07-01.
    """
    return {
        "stp_se": first_serial(fr_campaign, 3012345678, sampled=False),
        "shm": first_serial(fr_campaign, 3100000000, sampled=False),
        "shs_module": first_serial(fr_campaign, 3200000000, sampled=False),
        "foreign": first_serial(fr_campaign, 3300000000, sampled=False),
        "sampled": first_serial(fr_campaign, 3400000000, sampled=True),
        "early": first_serial(fr_campaign, 3500000000, sampled=False),
    }


@pytest.fixture(scope="session")
def masterdata(known: dict[str, str]) -> InMemoryMasterData:
    produced = date(2025, 11, 3)
    devices = [
        Device(known["stp_se"], "STP-SE", produced),
        Device(known["shm"], "SHM", produced),
        Device(known["shs_module"], "SHS-MODULE", produced),
        Device(known["foreign"], "SB-5.0", produced),
        Device(known["sampled"], "STP-SE", produced),
        Device(known["early"], "STP-SE", date(2026, 7, 1)),
    ]
    return InMemoryMasterData({device.serial: device for device in devices})


@pytest.fixture
def make_claim() -> Callable[..., Claim]:
    """A claim by enrolled company C-100, installed 1 June, registered 15 June 2026 (Paris)."""

    def make(
        serial: str,
        product: str | None = "STP-SE",
        *,
        installed_on: date = date(2026, 6, 1),
        registered_at: datetime = datetime(2026, 6, 15, 10, 0, tzinfo=PARIS),
        customer_number: str = "C-100",
        enrolled: bool = True,
        channel: Channel = Channel.CHAT,
    ) -> Claim:
        return Claim(
            company=CompanyFacts(customer_number=customer_number, enrolled=enrolled),
            serial=serial,
            declared_product=product,
            installed_on=installed_on,
            registered_at=registered_at,
            channel=channel,
        )

    return make


def with_product_changes(campaign: Campaign, code: str, **changes: object) -> Campaign:
    """A copy of ``campaign`` where product ``code`` has ``changes`` applied."""
    products = dict(campaign.products)
    products[code] = dataclasses.replace(products[code], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(campaign, products=products)


@pytest.fixture(scope="session")
def campaign_variant() -> Callable[..., Campaign]:
    """Build campaign copies with one product changed (proof required, lenient format...)."""
    return with_product_changes
