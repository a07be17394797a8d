"""The Sunny Portal transfer rules, one test per rule, on dated rows of an export."""

from __future__ import annotations

import json

import pytest

from core.campaign import Campaign
from core.portal import Decision, EnrolledCompany, Handling, NearNumbers, decide
from core.portal_export import PortalExportError, RowDefect, read_export

FRENCH, ITALIAN = "100001", "200001"
ENROLLED = {FRENCH: EnrolledCompany(FRENCH, "fr-2026"),
            ITALIAN: EnrolledCompany(ITALIAN, "it-2026")}
HEADER = ("portal_user;customer_number;customer_number_entered_at;plant;serial;product;"
          "device_added_at;commissioned_on")
# The customer number was entered on 10 June 2026.
ENTERED = "2026-06-10"


def line(serial: str = "3000000001", product: str = "STP-SE", added: str = "2026-06-11",
         number: str = FRENCH, entered: str = ENTERED, commissioned: str = "2026-06-05",
         user: str = "marie@installer.example", plant: str = "Maison Dupont") -> str:
    return ";".join((user, number, entered, plant, serial, product, added, commissioned))


def decisions(campaigns: dict[str, Campaign], *lines: str) -> list[Decision]:
    data = "\n".join((HEADER, *lines)).encode()
    return decide(read_export(data, "export.csv"), ENROLLED, campaigns)


@pytest.fixture
def campaigns(fr_campaign: Campaign, it_campaign: Campaign) -> dict[str, Campaign]:
    return {fr_campaign.code: fr_campaign, it_campaign.code: it_campaign}


def test_device_added_the_day_after_the_number_was_entered_is_transferred(
        campaigns: dict[str, Campaign]) -> None:
    [decision] = decisions(campaigns, line(added="2026-06-11"))

    assert decision.handling is Handling.TRANSFER
    assert decision.product_code == "STP-SE"
    assert str(decision.installed_on) == "2026-06-05"  # the commissioning date


def test_device_added_the_day_before_the_number_was_entered_is_not_transferred(
        campaigns: dict[str, Campaign]) -> None:
    [decision] = decisions(campaigns, line(added="2026-06-09"))

    assert decision.handling is Handling.NOT_RETROACTIVE


def test_with_times_a_device_added_earlier_the_same_day_is_not_transferred(
        campaigns: dict[str, Campaign]) -> None:
    before, after = decisions(
        campaigns,
        line(added="2026-06-10T08:00:00+02:00", entered="2026-06-10T09:30:00+02:00"),
        line("3000000002", added="2026-06-10T10:00:00+02:00",
             entered="2026-06-10T09:30:00+02:00"))

    assert before.handling is Handling.NOT_RETROACTIVE
    assert after.handling is Handling.TRANSFER


def test_with_days_only_a_device_added_the_day_the_number_was_entered_is_transferred(
        campaigns: dict[str, Campaign]) -> None:
    [decision] = decisions(campaigns, line(added=ENTERED))

    assert decision.handling is Handling.TRANSFER


@pytest.mark.parametrize(("number", "product"), [
    (FRENCH, "SHS-MODULE"), (FRENCH, "SMA Home Storage (module de batterie)"),
    (FRENCH, "EVC-BUSINESS"), (ITALIAN, "SHS-MODULE")])
def test_manual_only_products_are_never_transferred(campaigns: dict[str, Campaign], number: str,
                                                    product: str) -> None:
    [decision] = decisions(campaigns, line(product=product, number=number))

    assert decision.handling is Handling.MANUAL_ONLY


def test_the_italian_ev_charger_is_transferred(campaigns: dict[str, Campaign]) -> None:
    [decision] = decisions(campaigns, line(product="EVC", number=ITALIAN))

    assert decision.handling is Handling.TRANSFER


def test_a_product_outside_the_campaign_is_left_alone(campaigns: dict[str, Campaign]) -> None:
    [decision] = decisions(campaigns, line(product="Sunny Boy 5.0"))

    assert decision.handling is Handling.NOT_IN_CAMPAIGN


def test_a_customer_number_no_enrolled_company_has_is_unknown(
        campaigns: dict[str, Campaign]) -> None:
    [decision] = decisions(campaigns, line(number="555555"))

    assert decision.handling is Handling.UNKNOWN_CUSTOMER_NUMBER
    assert decision.did_you_mean == ()


@pytest.mark.parametrize("typed", ["100002", "10001", "1000011", "A100001"])
def test_a_number_one_keystroke_from_an_enrolled_one_is_mistyped(
        campaigns: dict[str, Campaign], typed: str) -> None:
    [decision] = decisions(campaigns, line(number=typed))

    assert decision.handling is Handling.MISTYPED_CUSTOMER_NUMBER
    assert decision.did_you_mean == (FRENCH,)


def test_the_customer_number_must_match_exactly(campaigns: dict[str, Campaign]) -> None:
    [decision] = decisions(campaigns, line(number="100 001"))

    assert decision.handling is Handling.MISTYPED_CUSTOMER_NUMBER


def test_a_profile_without_customer_number_transfers_nothing(
        campaigns: dict[str, Campaign]) -> None:
    [decision] = decisions(campaigns, line(number="", entered=""))

    assert decision.handling is Handling.NO_CUSTOMER_NUMBER


def test_a_broken_row_does_not_stop_the_others(campaigns: dict[str, Campaign]) -> None:
    result = decisions(campaigns, line("3000000001"), line("3000000002", added="31/02/2026"),
                       line(""), "a;b", line("3000000003", entered="yesterday"),
                       line("3000000004", commissioned="soon"), line("3000000005"))

    assert [d.handling for d in result] == [
        Handling.TRANSFER, Handling.BROKEN, Handling.BROKEN, Handling.BROKEN, Handling.BROKEN,
        Handling.BROKEN, Handling.TRANSFER]
    assert [getattr(d.row, "defect", None) for d in result[1:6]] == [
        RowDefect.ADDED_DATE_INVALID, RowDefect.SERIAL_MISSING, RowDefect.SERIAL_MISSING,
        RowDefect.ENTERED_DATE_INVALID, RowDefect.COMMISSIONING_DATE_INVALID]
    assert [d.row.row_number for d in result] == [2, 3, 4, 5, 6, 7, 8]


def test_json_and_csv_exports_are_read_alike(campaigns: dict[str, Campaign]) -> None:
    records = [{"portal_user": "marie", "customer_number": int(FRENCH),
                "customer_number_entered_at": ENTERED, "plant": "Dupont",
                "serial": 3000000001, "product": "STP-SE", "device_added_at": "2026-06-11",
                "commissioned_on": None},
               "not an object"]
    export = read_export(json.dumps({"devices": records}).encode(), "export.json")

    result = decide(export, ENROLLED, campaigns)

    assert [d.handling for d in result] == [Handling.TRANSFER, Handling.BROKEN]
    assert result[0].row.serial == "3000000001"
    assert str(result[0].installed_on) == "2026-06-11"  # no commissioning date: the day added


def test_an_export_without_a_required_column_is_refused_whole() -> None:
    with pytest.raises(PortalExportError) as refused:
        read_export(b"portal_user;serial;product\nmarie;3000000001;STP-SE\n", "export.csv")

    assert "customer_number" in str(refused.value)


def test_near_numbers_finds_only_edit_distance_one() -> None:
    near = NearNumbers(["100001", "100011", "250001"])

    assert near.within_one("100001") == ("100011",)
    assert near.within_one("10001") == ("100001", "100011")
    assert near.within_one("300002") == ()
