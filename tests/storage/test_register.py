"""Registering one device: each verdict leaves exactly the rows the spec calls for."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from storage_support import (
    COMPETITOR,
    INSTALLER,
    ITALIAN,
    KnownSerials,
    count_rows,
    register_serial,
    rows,
    serial_from,
)

from core.campaign import Campaign
from core.eligibility import ClaimProblem, IneligibilityReason, InfoReason, in_audit_sample
from core.statuses import Channel, Status
from storage.outbox import changes_in
from storage.tables import (
    InformationRequest,
    OutboxMessage,
    Registration,
    RejectedClaim,
    StatusEvent,
)
from storage.uow import UnitOfWork


def test_eligible_claim_is_stored_pending_payment_with_one_event_and_two_notices(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime) -> None:
    serial = serial_from(fr_campaign, 3012345678)

    outcome = register_serial(engine, fr_campaign, serial, now)

    assert outcome.verdict is not None
    assert outcome.verdict.status is Status.PENDING_PAYMENT
    [registration] = rows(engine, Registration)
    assert outcome.registration_id == registration.id
    assert (registration.campaign_code, registration.serial, registration.company_id) == (
        "fr-2026", serial, company_id)
    assert (registration.status, registration.product_code, registration.amount_cents) == (
        "pending_payment", "STP-SE", 10000)
    assert registration.registered_at == now
    assert registration.channel == "chat"
    [event] = rows(engine, StatusEvent)
    assert (event.registration_id, event.from_status, event.to_status) == (
        registration.id, None, "pending_payment")
    assert (event.actor, event.channel) == (f"chat:{INSTALLER}", "chat")
    notices = rows(engine, OutboxMessage)
    assert sorted(n.kind for n in notices) == ["chat", "email"]
    assert {(n.company_id, n.topic, n.state) for n in notices} == {
        (company_id, "status_changed", "pending")}
    [change] = changes_in(notices[0].payload)
    assert (change.serial, change.to_status, change.amount_cents) == (
        serial, "pending_payment", 10000)
    assert rows(engine, InformationRequest) == []
    assert rows(engine, RejectedClaim) == []


def test_claim_needing_proof_opens_a_request_due_14_days_later_with_a_reference(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime) -> None:
    serial = serial_from(fr_campaign, 3400000000, sampled=True)

    outcome = register_serial(engine, fr_campaign, serial, now)

    assert outcome.verdict is not None
    assert outcome.verdict.status is Status.INFO_REQUIRED
    [registration] = rows(engine, Registration)
    assert registration.status == "info_required"
    [request] = rows(engine, InformationRequest)
    assert request.registration_id == registration.id
    assert request.state == "open"
    assert request.due_on == date(2026, 6, 15) + timedelta(days=14)
    assert request.info_reason == InfoReason.AUDIT_SAMPLE.value
    assert request.documents_needed == "invoice,commissioning_protocol"
    assert request.reference
    assert outcome.reference == request.reference
    [event] = rows(engine, StatusEvent)
    assert (event.to_status, event.reason) == ("info_required", "audit_sample")
    notices = rows(engine, OutboxMessage)
    assert len(notices) == 2
    [change] = changes_in(notices[0].payload)
    assert (change.due_on, change.reference) == (date(2026, 6, 29), request.reference)


def test_device_installed_before_its_production_date_needs_proof(
        engine: Engine, fr_campaign: Campaign, company_id: int, masterdata: KnownSerials,
        now: datetime) -> None:
    outcome = register_serial(engine, fr_campaign, masterdata.early, now,
                              installed_on=date(2026, 6, 1))

    assert outcome.verdict is not None
    assert outcome.verdict.info_reason is InfoReason.INSTALLED_BEFORE_PRODUCTION
    [request] = rows(engine, InformationRequest)
    assert request.info_reason == "installed_before_production"


def test_ineligible_claim_stores_no_registration_but_a_rejected_claim(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime) -> None:
    outcome = register_serial(engine, fr_campaign, "12AB", now)

    assert outcome.verdict is not None
    assert outcome.verdict.reason is IneligibilityReason.SERIAL_FORMAT_INVALID
    assert outcome.registration_id is None
    assert rows(engine, Registration) == []
    assert rows(engine, StatusEvent) == []
    assert rows(engine, OutboxMessage) == []
    [rejected] = rows(engine, RejectedClaim)
    assert (rejected.campaign_code, rejected.company_id, rejected.serial) == (
        "fr-2026", company_id, "12AB")
    assert (rejected.reason, rejected.declared_product, rejected.channel) == (
        "serial_format_invalid", "STP-SE", "chat")
    assert rejected.installed_on == date(2026, 6, 1)
    assert rejected.conflicting_registration_id is None


def test_unknown_serial_is_rejected_with_suggestions_from_master_data(
        engine: Engine, fr_campaign: Campaign, company_id: int, masterdata: KnownSerials,
        now: datetime) -> None:
    typo = masterdata.stp_se[:-2] + masterdata.stp_se[-1] + masterdata.stp_se[-2]

    outcome = register_serial(engine, fr_campaign, typo, now)

    assert outcome.verdict is not None
    assert outcome.verdict.reason is IneligibilityReason.SERIAL_UNKNOWN
    assert masterdata.stp_se in outcome.verdict.suggestions
    assert rows(engine, Registration) == []
    assert [r.reason for r in rows(engine, RejectedClaim)] == ["serial_unknown"]


def test_claim_by_a_company_not_enrolled_is_rejected_without_a_company(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], now: datetime) -> None:
    outcome = register_serial(engine, fr_campaign, serial_from(fr_campaign, 3012345678), now,
                              customer_number="C-999")

    assert outcome.verdict is not None
    assert outcome.verdict.reason is IneligibilityReason.COMPANY_NOT_ENROLLED
    assert rows(engine, Registration) == []
    [rejected] = rows(engine, RejectedClaim)
    assert (rejected.reason, rejected.company_id) == ("company_not_enrolled", None)


def test_company_enrolled_in_another_campaign_is_not_enrolled_in_this_one(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], now: datetime) -> None:
    outcome = register_serial(engine, fr_campaign, serial_from(fr_campaign, 3012345678), now,
                              customer_number=ITALIAN)

    assert outcome.verdict is not None
    assert outcome.verdict.reason is IneligibilityReason.COMPANY_NOT_ENROLLED
    assert rows(engine, Registration) == []


def test_serial_registered_by_another_company_is_refused_and_the_conflict_recorded(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], now: datetime) -> None:
    serial = serial_from(fr_campaign, 3012345678)
    first = register_serial(engine, fr_campaign, serial, now)
    before = count_rows(engine)

    second = register_serial(engine, fr_campaign, serial, now + timedelta(hours=1),
                             customer_number=COMPETITOR)

    assert second.verdict is not None
    assert second.verdict.reason is IneligibilityReason.ALREADY_REGISTERED_BY_OTHER
    [registration] = rows(engine, Registration)
    assert registration.company_id == companies[INSTALLER]
    [rejected] = rows(engine, RejectedClaim)
    assert rejected.reason == "already_registered_by_other"
    assert rejected.company_id == companies[COMPETITOR]
    assert rejected.conflicting_registration_id == first.registration_id
    after = count_rows(engine)
    assert after == {**before, "rejected_claim": 1}


def test_serial_registered_again_by_the_same_company_is_not_a_conflict(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime) -> None:
    serial = serial_from(fr_campaign, 3012345678)
    register_serial(engine, fr_campaign, serial, now)
    before = count_rows(engine)

    again = register_serial(engine, fr_campaign, serial, now + timedelta(hours=1))

    assert again.verdict is not None
    assert again.verdict.reason is IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY
    assert count_rows(engine) == before


def test_serial_typed_differently_is_the_same_serial(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime) -> None:
    serial = serial_from(fr_campaign, 3012345678)
    register_serial(engine, fr_campaign, serial, now)

    again = register_serial(engine, fr_campaign, f"S/N: {serial[:4]} {serial[4:]}", now)

    assert again.verdict is not None
    assert again.verdict.reason is IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY
    assert len(rows(engine, Registration)) == 1


def test_installation_date_in_the_future_is_reported_and_nothing_stored(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime) -> None:
    before = count_rows(engine)

    outcome = register_serial(engine, fr_campaign, serial_from(fr_campaign, 3012345678), now,
                              installed_on=date(2026, 6, 16))

    assert outcome.verdict is None
    assert outcome.problem == ClaimProblem.INSTALLATION_IN_FUTURE
    assert count_rows(engine) == before


def test_same_serial_may_be_registered_once_in_each_campaign(
        engine: Engine, fr_campaign: Campaign, it_campaign: Campaign,
        companies: dict[str, int], now: datetime) -> None:
    serial = next(s for s in map(str, range(3012345678, 3012346678))
                  if not in_audit_sample(s, fr_campaign) and not in_audit_sample(s, it_campaign))

    french = register_serial(engine, fr_campaign, serial, now)
    italian = register_serial(engine, it_campaign, serial, now, customer_number=ITALIAN)

    assert french.verdict is not None
    assert italian.verdict is not None
    assert (french.verdict.status, italian.verdict.status) == (
        Status.PENDING_PAYMENT, Status.PENDING_PAYMENT)
    assert sorted((r.campaign_code, r.company_id) for r in rows(engine, Registration)) == [
        ("fr-2026", companies[INSTALLER]), ("it-2026", companies[ITALIAN])]


def test_database_refuses_a_second_registration_of_a_serial_in_a_campaign(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], now: datetime) -> None:
    serial = serial_from(fr_campaign, 3012345678)
    register_serial(engine, fr_campaign, serial, now)

    duplicate = Registration(
        campaign_code="fr-2026", serial=serial, company_id=companies[COMPETITOR],
        product_code="STP-SE", installed_on=date(2026, 6, 1), registered_at=now,
        channel=Channel.CHAT.value, status=Status.PENDING_PAYMENT.value, amount_cents=10000,
        updated_at=now)

    with UnitOfWork(engine) as uow:
        uow.session.add(duplicate)
        with pytest.raises(IntegrityError):
            uow.commit()

    assert len(rows(engine, Registration)) == 1
