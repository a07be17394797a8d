"""The verdict on a claim: one test per rule of the campaign."""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.campaign import Campaign
from core.eligibility import (
    DEFAULT_PROOF,
    Claim,
    ClaimInvalid,
    ClaimProblem,
    ExistingRegistration,
    IneligibilityReason,
    InfoReason,
    Verdict,
    evaluate,
    in_audit_sample,
)
from core.information_requests import DocumentKind
from core.masterdata import Device, InMemoryMasterData, NoMasterData
from core.statuses import Status

PARIS = ZoneInfo("Europe/Paris")
ROME = ZoneInfo("Europe/Rome")
Variant = Callable[..., Campaign]
ClaimFactory = Callable[..., Claim]
Known = dict[str, str]


def _ineligible(verdict: Verdict, reason: IneligibilityReason) -> None:
    assert verdict.status is Status.INELIGIBLE
    assert verdict.reason is reason
    assert not verdict.eligible
    assert verdict.amount == 0


# --- eligible ---------------------------------------------------------------------------------


def test_device_installed_and_registered_in_period_is_pending_payment(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim(known["stp_se"]), fr_campaign, masterdata, None)

    assert verdict == Verdict(serial=known["stp_se"], status=Status.PENDING_PAYMENT,
                              product_code="STP-SE", amount=Decimal("100.00"))
    assert verdict.eligible
    assert verdict.masterdata_checked


def test_product_is_taken_from_master_data_when_not_declared(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim(known["shm"], None), fr_campaign, masterdata, None)

    assert (verdict.status, verdict.product_code, verdict.amount) == (
        Status.PENDING_PAYMENT, "SHM", Decimal("30.00"))


def test_serial_is_judged_as_normalised(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    serial = known["stp_se"]
    typed = f"S/N: {serial[:3]}-{serial[3:6]} {serial[6:]}"

    verdict = evaluate(make_claim(typed), fr_campaign, masterdata, None)

    assert (verdict.status, verdict.serial) == (Status.PENDING_PAYMENT, serial)


def test_installation_today_in_the_campaign_time_zone_is_not_in_the_future(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    # 22:30 UTC on 14 June is already 15 June in Paris.
    claim = make_claim(known["stp_se"], installed_on=date(2026, 6, 15),
                       registered_at=datetime(2026, 6, 14, 22, 30, tzinfo=UTC))

    assert evaluate(claim, fr_campaign, masterdata, None).status is Status.PENDING_PAYMENT


# --- one test per ineligibility reason --------------------------------------------------------


def test_device_of_company_not_enrolled_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim(known["stp_se"], enrolled=False), fr_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.COMPANY_NOT_ENROLLED)


@pytest.mark.parametrize("serial", ["301234567", "30123456789", "301234567X", "SMA-EV-42", ""])
def test_serial_without_the_products_format_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, make_claim: ClaimFactory,
    serial: str,
) -> None:
    verdict = evaluate(make_claim(serial), fr_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.SERIAL_FORMAT_INVALID)
    assert set(verdict.suggestions) <= set(masterdata.devices)


def test_serial_without_any_products_format_is_ineligible_when_no_product_declared(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim("ABC", None), fr_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.SERIAL_FORMAT_INVALID)


def _typo(serial: str, kind: str) -> str:
    if kind == "adjacent digits transposed":
        return serial[:-2] + serial[-1] + serial[-2]
    if kind == "one digit changed":
        return serial[:4] + str((int(serial[4]) + 1) % 10) + serial[5:]
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["adjacent digits transposed", "one digit changed"])
def test_unknown_serial_is_ineligible_and_the_meant_serial_is_suggested(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory, kind: str,
) -> None:
    typed = _typo(known["stp_se"], kind)

    verdict = evaluate(make_claim(typed), fr_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.SERIAL_UNKNOWN)
    assert verdict.serial == typed
    assert verdict.suggestions == (known["stp_se"],)


def test_unknown_serial_with_a_dropped_digit_suggests_the_full_serial(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory, campaign_variant: Variant,
) -> None:
    # With the shipped ten-digit format a nine-digit serial fails the format check first;
    # a campaign whose serials vary in length reaches the master data look-up.
    lenient = campaign_variant(fr_campaign, "STP-SE", serial_format=re.compile(r"[0-9]{9,11}"))
    typed = known["stp_se"][:5] + known["stp_se"][6:]

    verdict = evaluate(make_claim(typed), lenient, masterdata, None)

    _ineligible(verdict, IneligibilityReason.SERIAL_UNKNOWN)
    assert verdict.suggestions == (known["stp_se"],)


def test_unknown_serial_suggests_devices_of_the_declared_product_first(
    fr_campaign: Campaign, make_claim: ClaimFactory,
) -> None:
    typed = "3012345687"
    swapped_shm, changed_stp_se = "3012345678", "3012345617"
    masterdata = InMemoryMasterData({
        swapped_shm: Device(swapped_shm, "SHM", date(2025, 11, 3)),
        changed_stp_se: Device(changed_stp_se, "STP-SE", date(2025, 11, 3)),
    })

    as_stp_se = evaluate(make_claim(typed, "STP-SE"), fr_campaign, masterdata, None)
    as_shm = evaluate(make_claim(typed, "SHM"), fr_campaign, masterdata, None)

    assert as_stp_se.suggestions == (changed_stp_se, swapped_shm)
    assert as_shm.suggestions == (swapped_shm, changed_stp_se)


def test_unknown_serial_without_near_known_serial_has_no_suggestion(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim("9999999999"), fr_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.SERIAL_UNKNOWN)
    assert verdict.suggestions == ()


def test_serial_of_another_product_than_declared_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim(known["shm"], "STP-SE"), fr_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.PRODUCT_MISMATCH)
    assert verdict.product_code == "STP-SE"


@pytest.mark.parametrize("declared", ["EVC", "SB-5.0", "NOT-A-PRODUCT"])
def test_declared_product_not_in_the_campaign_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory, declared: str,
) -> None:
    verdict = evaluate(make_claim(known["stp_se"], declared), fr_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.PRODUCT_NOT_IN_CAMPAIGN)
    assert verdict.product_code == declared


def test_device_master_data_places_outside_the_campaign_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim(known["foreign"], None), fr_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.PRODUCT_NOT_IN_CAMPAIGN)
    assert verdict.product_code == "SB-5.0"


def test_french_only_product_is_not_in_the_italian_campaign(
    it_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    claim = make_claim(known["shm"], None, registered_at=datetime(2026, 6, 15, 10, tzinfo=ROME))

    verdict = evaluate(claim, it_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.PRODUCT_NOT_IN_CAMPAIGN)
    assert verdict.product_code == "SHM"


def test_device_installed_before_campaign_start_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    claim = make_claim(known["stp_se"], installed_on=date(2025, 12, 31))

    _ineligible(evaluate(claim, fr_campaign, masterdata, None),
                IneligibilityReason.INSTALLED_OUTSIDE_PERIOD)


def test_device_installed_after_campaign_end_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    claim = make_claim(known["stp_se"], installed_on=date(2027, 1, 1),
                       registered_at=datetime(2027, 1, 5, 10, tzinfo=PARIS))

    _ineligible(evaluate(claim, fr_campaign, masterdata, None),
                IneligibilityReason.INSTALLED_OUTSIDE_PERIOD)


def test_device_registered_after_last_registration_day_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    claim = make_claim(known["stp_se"], installed_on=date(2026, 12, 31),
                       registered_at=datetime(2027, 2, 1, 10, tzinfo=PARIS))

    _ineligible(evaluate(claim, fr_campaign, masterdata, None),
                IneligibilityReason.REGISTERED_OUTSIDE_PERIOD)


def test_registration_late_on_last_day_in_paris_is_inside_the_period(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    late_evening = datetime(2027, 1, 31, 23, 30, tzinfo=PARIS)
    claim = make_claim(known["stp_se"], installed_on=date(2026, 12, 31), registered_at=late_evening)

    assert evaluate(claim, fr_campaign, masterdata, None).status is Status.PENDING_PAYMENT


def test_registration_after_midnight_in_paris_is_outside_although_still_last_day_in_utc(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    after_midnight = datetime(2027, 2, 1, 0, 30, tzinfo=PARIS)
    assert after_midnight.astimezone(UTC).date() == date(2027, 1, 31)
    claim = make_claim(known["stp_se"], installed_on=date(2026, 12, 31),
                       registered_at=after_midnight.astimezone(UTC))

    _ineligible(evaluate(claim, fr_campaign, masterdata, None),
                IneligibilityReason.REGISTERED_OUTSIDE_PERIOD)


def test_serial_already_registered_by_the_same_company_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    existing = ExistingRegistration("C-100", Status.PENDING_PAYMENT)

    verdict = evaluate(make_claim(known["stp_se"]), fr_campaign, masterdata, existing)

    _ineligible(verdict, IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY)
    assert verdict.existing == existing


def test_serial_already_registered_by_another_company_is_ineligible(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    existing = ExistingRegistration("C-999", Status.PAID)

    verdict = evaluate(make_claim(known["stp_se"]), fr_campaign, masterdata, existing)

    _ineligible(verdict, IneligibilityReason.ALREADY_REGISTERED_BY_OTHER)
    assert verdict.existing == existing


# --- eligible, but proof is needed ------------------------------------------------------------


def _info_required(verdict: Verdict, reason: InfoReason, registered_on: date) -> None:
    assert verdict.status is Status.INFO_REQUIRED
    assert verdict.eligible
    assert verdict.reason is None
    assert verdict.info_reason is reason
    assert verdict.documents_needed == DEFAULT_PROOF
    assert DocumentKind.INVOICE in verdict.documents_needed
    assert verdict.terms is not None
    assert verdict.terms.opened_on == registered_on
    assert verdict.terms.due_on == registered_on + timedelta(days=14)


def test_device_in_the_audit_sample_needs_proof(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    assert in_audit_sample(known["sampled"], fr_campaign)

    verdict = evaluate(make_claim(known["sampled"]), fr_campaign, masterdata, None)

    _info_required(verdict, InfoReason.AUDIT_SAMPLE, date(2026, 6, 15))
    assert verdict.amount == Decimal("100.00")


def test_device_installed_before_its_production_date_needs_proof(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    claim = make_claim(known["early"], installed_on=date(2026, 6, 30),
                       registered_at=datetime(2026, 7, 2, 9, tzinfo=PARIS))

    _info_required(evaluate(claim, fr_campaign, masterdata, None),
                   InfoReason.INSTALLED_BEFORE_PRODUCTION, date(2026, 7, 2))


def test_device_installed_on_its_production_date_needs_no_proof(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    claim = make_claim(known["early"], installed_on=date(2026, 7, 1),
                       registered_at=datetime(2026, 7, 2, 9, tzinfo=PARIS))

    assert evaluate(claim, fr_campaign, masterdata, None).status is Status.PENDING_PAYMENT


def test_product_that_always_needs_proof_is_info_required(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory, campaign_variant: Variant,
) -> None:
    campaign = campaign_variant(fr_campaign, "SHS-MODULE", proof_required=True)

    verdict = evaluate(make_claim(known["shs_module"], "SHS-MODULE"), campaign, masterdata, None)

    _info_required(verdict, InfoReason.PRODUCT_NEEDS_PROOF, date(2026, 6, 15))
    assert verdict.amount == Decimal("50.00")


def test_installed_before_production_is_the_reason_given_before_product_proof(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory, campaign_variant: Variant,
) -> None:
    campaign = campaign_variant(fr_campaign, "STP-SE", proof_required=True)
    claim = make_claim(known["early"], installed_on=date(2026, 6, 30),
                       registered_at=datetime(2026, 7, 2, 9, tzinfo=PARIS))

    assert evaluate(claim, campaign, masterdata, None).info_reason is (
        InfoReason.INSTALLED_BEFORE_PRODUCTION)


def test_audit_sample_is_the_same_on_every_run(
    fr_campaign: Campaign, known: Known
) -> None:
    assert all(in_audit_sample(known["sampled"], fr_campaign) for _ in range(3))
    assert not any(in_audit_sample(known["stp_se"], fr_campaign) for _ in range(3))


def test_audit_share_of_zero_samples_nothing_and_one_samples_everything(
    fr_campaign: Campaign, known: Known
) -> None:
    none = dataclasses.replace(fr_campaign, audit_share=Decimal(0))
    every = dataclasses.replace(fr_campaign, audit_share=Decimal(1))

    assert not in_audit_sample(known["sampled"], none)
    assert in_audit_sample(known["stp_se"], every)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), share=st.sampled_from(["0.05", "0.01", "0.2", "0.5"]))
def test_audit_sample_takes_the_campaigns_share_of_serials(
    fr_campaign: Campaign, it_campaign: Campaign, seed: int, share: str
) -> None:
    rng = random.Random(seed)
    serials = [f"{rng.randrange(10**10):010d}" for _ in range(20_000)]
    for campaign in (fr_campaign, it_campaign):
        campaign = dataclasses.replace(campaign, audit_share=Decimal(share))

        sampled = sum(in_audit_sample(serial, campaign) for serial in serials)

        assert abs(sampled / len(serials) - float(share)) < 0.01


# --- without master data ----------------------------------------------------------------------


def test_without_master_data_a_well_formed_serial_of_a_declared_product_is_accepted(
    fr_campaign: Campaign, make_claim: ClaimFactory,
) -> None:
    serial = "9876543210"
    assert not in_audit_sample(serial, fr_campaign)

    verdict = evaluate(make_claim(serial, "SHM"), fr_campaign, NoMasterData(), None)

    assert (verdict.status, verdict.product_code, verdict.amount) == (
        Status.PENDING_PAYMENT, "SHM", Decimal("30.00"))
    assert not verdict.masterdata_checked


def test_without_master_data_the_product_must_be_declared(
    fr_campaign: Campaign, make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim("9876543210", None), fr_campaign, NoMasterData(), None)

    _ineligible(verdict, IneligibilityReason.PRODUCT_MISMATCH)
    assert not verdict.masterdata_checked


def test_without_master_data_the_serial_format_is_still_checked(
    fr_campaign: Campaign, make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim("98765", "SHM"), fr_campaign, NoMasterData(), None)

    _ineligible(verdict, IneligibilityReason.SERIAL_FORMAT_INVALID)
    assert not verdict.masterdata_checked


def test_without_master_data_the_period_is_still_checked(
    fr_campaign: Campaign, make_claim: ClaimFactory,
) -> None:
    claim = make_claim("9876543210", "SHM", installed_on=date(2025, 12, 31))

    verdict = evaluate(claim, fr_campaign, NoMasterData(), None)

    _ineligible(verdict, IneligibilityReason.INSTALLED_OUTSIDE_PERIOD)
    assert not verdict.masterdata_checked


# --- claims that cannot be judged -------------------------------------------------------------


def test_installation_date_in_the_future_is_an_invalid_claim(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    claim = make_claim(known["stp_se"], installed_on=date(2026, 6, 16))

    with pytest.raises(ClaimInvalid) as caught:
        evaluate(claim, fr_campaign, masterdata, None)
    assert caught.value.problem is ClaimProblem.INSTALLATION_IN_FUTURE


def test_registration_time_without_time_zone_is_refused(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    claim = make_claim(known["stp_se"], registered_at=datetime(2026, 6, 15, 10))

    with pytest.raises(ValueError, match="time zone"):
        evaluate(claim, fr_campaign, masterdata, None)


# --- boundaries of the validity period --------------------------------------------------------


@pytest.mark.parametrize(
    ("installed_on", "eligible"),
    [
        (date(2025, 12, 31), False),
        (date(2026, 1, 1), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), False),
    ],
)
def test_installation_period_includes_its_first_and_last_day(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory, installed_on: date, eligible: bool,
) -> None:
    claim = make_claim(known["stp_se"], installed_on=installed_on,
                       registered_at=datetime(2027, 1, 10, 12, tzinfo=PARIS))

    verdict = evaluate(claim, fr_campaign, masterdata, None)

    assert verdict.eligible is eligible
    if not eligible:
        assert verdict.reason is IneligibilityReason.INSTALLED_OUTSIDE_PERIOD


@pytest.mark.parametrize(
    ("registered_on", "eligible"),
    [(date(2027, 1, 31), True), (date(2027, 2, 1), False)],
)
def test_registration_period_includes_its_last_day(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory, registered_on: date, eligible: bool,
) -> None:
    registered_at = datetime.combine(registered_on, datetime.min.time(), PARIS) + timedelta(
        hours=12)
    claim = make_claim(known["stp_se"], installed_on=date(2026, 12, 31),
                       registered_at=registered_at)

    verdict = evaluate(claim, fr_campaign, masterdata, None)

    assert verdict.eligible is eligible
    if not eligible:
        assert verdict.reason is IneligibilityReason.REGISTERED_OUTSIDE_PERIOD


# --- the order of the checks ------------------------------------------------------------------


def test_existing_registration_is_reported_before_master_data_is_consulted(
    fr_campaign: Campaign, make_claim: ClaimFactory,
) -> None:
    existing = ExistingRegistration("C-100", Status.INFO_REQUIRED)

    verdict = evaluate(make_claim("9999999999"), fr_campaign, InMemoryMasterData({}), existing)

    assert verdict.reason is IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY


def test_every_ineligible_verdict_carries_a_reason_and_eligible_ones_none(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, known: Known,
    make_claim: ClaimFactory,
) -> None:
    claims = [
        make_claim(known["stp_se"]), make_claim(known["sampled"]), make_claim(known["shm"]),
        make_claim("1"), make_claim(known["foreign"], None), make_claim(known["stp_se"], "EVC"),
    ]
    for claim in claims:
        verdict = evaluate(claim, fr_campaign, masterdata, None)
        assert (verdict.reason is not None) is (verdict.status is Status.INELIGIBLE)
        assert (verdict.info_reason is not None) is (verdict.status is Status.INFO_REQUIRED)



def test_a_serial_with_a_dropped_digit_is_invalid_but_offers_the_known_serial(
    fr_campaign: Campaign, masterdata: InMemoryMasterData, make_claim: ClaimFactory,
) -> None:
    verdict = evaluate(make_claim("301234578"), fr_campaign, masterdata, None)

    _ineligible(verdict, IneligibilityReason.SERIAL_FORMAT_INVALID)
    assert "3012345678" in verdict.suggestions
