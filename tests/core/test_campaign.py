"""Campaign files: the shipped ones load, a broken one fails with one precise message."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.campaign import Campaign, CampaignError, parse_campaign, parse_campaign_toml

SOURCE = "campaigns/broken.toml"


def test_french_campaign_file_loads_with_the_flyers_products(fr_campaign: Campaign) -> None:
    assert fr_campaign.code == "fr-2026"
    assert (fr_campaign.country, fr_campaign.currency, fr_campaign.language) == ("FR", "EUR", "fr")
    assert str(fr_campaign.timezone) == "Europe/Paris"
    assert set(fr_campaign.products) == {"STP-SE", "SHM", "STP-CORE2", "SHS-MODULE",
                                         "EVC-BUSINESS"}
    assert fr_campaign.first_installation_day == date(2026, 1, 1)
    assert fr_campaign.last_installation_day == date(2026, 12, 31)
    assert fr_campaign.last_registration_day == date(2027, 1, 31)
    assert fr_campaign.document_deadline_days == 14
    assert fr_campaign.reminder_days_before == (7, 2)
    assert fr_campaign.audit_share == Decimal("0.05")


def test_italian_campaign_file_loads_with_the_flyers_products(it_campaign: Campaign) -> None:
    assert it_campaign.code == "it-2026"
    assert (it_campaign.country, it_campaign.currency, it_campaign.language) == ("IT", "EUR", "it")
    assert str(it_campaign.timezone) == "Europe/Rome"
    assert set(it_campaign.products) == {"STP-SE", "EVC", "SHS-MODULE"}
    assert it_campaign.document_deadline_days == 14


@pytest.mark.parametrize("code", ["SHS-MODULE", "EVC-BUSINESS"])
def test_battery_modules_and_business_charger_are_never_transferred_by_the_portal(
    fr_campaign: Campaign, code: str
) -> None:
    product = fr_campaign.product(code)

    assert product is not None
    assert not product.portal_transfer


def test_product_name_falls_back_to_english(fr_campaign: Campaign) -> None:
    product = fr_campaign.product("SHS-MODULE")

    assert product is not None
    assert product.name("fr") == "SMA Home Storage (module de batterie)"
    assert product.name("it") == "SMA Home Storage (battery module)"


def test_product_outside_the_campaign_is_none(fr_campaign: Campaign) -> None:
    assert fr_campaign.product("EVC") is None


def test_product_amounts_are_exact_decimals(fr_campaign: Campaign) -> None:
    assert {code: p.amount for code, p in fr_campaign.products.items()} == {
        "STP-SE": Decimal("100.00"), "SHM": Decimal("30.00"), "STP-CORE2": Decimal("150.00"),
        "SHS-MODULE": Decimal("50.00"), "EVC-BUSINESS": Decimal("80.00"),
    }


def test_reminder_days_are_kept_once_latest_first(fr_text: str) -> None:
    campaign = parse_campaign_toml(
        _edit(fr_text, "reminder_days_before = [7, 2]", "reminder_days_before = [2, 7, 2]"),
        SOURCE,
    )

    assert campaign.reminder_days_before == (7, 2)


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, f"the fixture no longer contains {old!r}"
    return text.replace(old, new, 1)


# (what to replace, with what, the key the error names, a part of the problem it states)
BROKEN_FILES = {
    "missing key": ('currency = "EUR"\n', "", "currency", "is missing"),
    "missing table": ("[audit]\n", "[audit_]\n", "audit", "is missing"),
    "missing key in a table": ('share = "0.05"', "", "audit.share", "is missing"),
    "missing product name in a campaign language": (
        ', fr = "Sunny Home Manager"', "", "products[1].name.fr", "is missing"),
    "wrong type: text for a number": (
        "deadline_days = 14", 'deadline_days = "14"', "documents.deadline_days",
        "must be a whole number, got '14'"),
    "wrong type: true for a number": (
        "deadline_days = 14", "deadline_days = true", "documents.deadline_days",
        "must be a whole number, got True"),
    "wrong type: text for true or false": (
        "portal_transfer = true", 'portal_transfer = "yes"', "products[0].portal_transfer",
        "must be true or false"),
    "wrong type: number for a date": (
        "first_installation_day = 2026-01-01", "first_installation_day = 20260101",
        "validity.first_installation_day", "must be a date"),
    "date with a time": (
        "first_installation_day = 2026-01-01", "first_installation_day = 2026-01-01T08:00:00",
        "validity.first_installation_day", "must be a date without time"),
    "empty text": ('country = "FR"', 'country = " "', "country", "must not be empty"),
    "text of the wrong shape": ('country = "FR"', 'country = "France"', "country",
                                "does not look like"),
    "unsupported language": ('languages = ["fr"]', 'languages = ["de"]', "languages[0]",
                             "unsupported language 'de'"),
    "installation period ends before it starts": (
        "last_installation_day = 2026-12-31", "last_installation_day = 2025-12-31",
        "validity.last_installation_day", "is before validity.first_installation_day"),
    "registration ends before installation does": (
        "last_registration_day = 2027-01-31", "last_registration_day = 2026-12-30",
        "validity.last_registration_day", "is before validity.last_installation_day"),
    "bad regex": (
        'serial_format = "[0-9]{10}"', 'serial_format = "[0-9"', "products[0].serial_format",
        "is not a valid regular expression"),
    "unknown time zone": ('timezone = "Europe/Paris"', 'timezone = "Europe/Pariss"', "timezone",
                          "unknown time zone 'Europe/Pariss'"),
    "time zone that is a path": ('timezone = "Europe/Paris"', 'timezone = "../../etc/passwd"',
                                 "timezone", "unknown time zone"),
    "duplicate product code": ('code = "SHM"', 'code = "STP-SE"', "products[1].code",
                               "duplicate product code 'STP-SE'"),
    "negative amount": ('amount = "30.00"', 'amount = "-30.00"', "products[1].amount",
                        "must be >= 0, got '-30.00'"),
    "amount that is no number": ('amount = "30.00"', 'amount = "thirty"', "products[1].amount",
                                 "must be a decimal number"),
    "amount that is infinite": ('amount = "30.00"', "amount = inf", "products[1].amount",
                                "must be >= 0"),
    "audit share above one": ('share = "0.05"', 'share = "1.5"', "audit.share",
                              "must be between 0 and 1, got '1.5'"),
    "audit share below zero": ('share = "0.05"', "share = -0.1", "audit.share",
                               "must be between 0 and 1"),
    "deadline of zero days": ("deadline_days = 14", "deadline_days = 0",
                              "documents.deadline_days", "must be at least 1"),
    "reminder on the deadline": (
        "reminder_days_before = [7, 2]", "reminder_days_before = [14, 2]",
        "documents.reminder_days_before[0]", "falls before the request"),
    "reminder after the deadline": (
        "reminder_days_before = [7, 2]", "reminder_days_before = [7, 20]",
        "documents.reminder_days_before[1]", "falls before the request"),
    "reminder of zero days": (
        "reminder_days_before = [7, 2]", "reminder_days_before = [7, 0]",
        "documents.reminder_days_before[1]", "must be a whole number >= 1"),
    "invalid TOML": ("[validity]", "[validity", "(file)", "not valid TOML"),
}


@pytest.mark.parametrize(("old", "new", "key", "problem"), list(BROKEN_FILES.values()),
                         ids=list(BROKEN_FILES))
def test_broken_campaign_file_gives_one_error_naming_file_key_and_problem(
    fr_text: str, old: str, new: str, key: str, problem: str
) -> None:
    with pytest.raises(CampaignError) as caught:
        parse_campaign_toml(_edit(fr_text, old, new), SOURCE)

    error = caught.value
    assert (error.source, error.key) == (SOURCE, key)
    assert problem in error.problem
    assert str(error) == f"{SOURCE}: {key}: {error.problem}"


def _fr_data(fr_text: str) -> dict[str, Any]:
    return tomllib.loads(fr_text)


def test_campaign_without_products_is_refused(fr_text: str) -> None:
    data = _fr_data(fr_text)
    data["products"] = []

    with pytest.raises(CampaignError, match=r"products: must list at least one entry"):
        parse_campaign(data, SOURCE)


def test_product_entry_that_is_not_a_table_is_refused(fr_text: str) -> None:
    data = _fr_data(fr_text)
    data["products"][2] = "STP-CORE2"

    with pytest.raises(CampaignError, match=r"products\[2\]: must be a table"):
        parse_campaign(data, SOURCE)


def test_campaign_error_is_a_value_error() -> None:
    error = CampaignError(SOURCE, "timezone", "unknown time zone 'Mars/Olympus'")

    assert isinstance(error, ValueError)
    assert str(error) == "campaigns/broken.toml: timezone: unknown time zone 'Mars/Olympus'"
