"""Registering a bulk template: a thousand rows, one transaction, one digest notice."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from storage_support import COMPETITOR, INSTALLER, count_rows, rows

from core.campaign import Campaign
from core.eligibility import IneligibilityReason
from core.statuses import Channel, Status
from storage.outbox import changes_in
from storage.services.registrations import ClaimInput, ClaimOutcome, register_many
from storage.tables import OutboxMessage, Registration, RejectedClaim
from storage.uow import UnitOfWork

BATCH = 1000


def _register(engine: Engine, campaign: Campaign, customer_number: str,
              claims: list[ClaimInput], now: datetime) -> list[ClaimOutcome]:
    with UnitOfWork(engine) as uow:
        return register_many(uow, campaign=campaign, customer_number=customer_number,
                             claims=claims, channel=Channel.TEMPLATE,
                             actor=f"template:{customer_number}", now=now)


def _claims(serials: list[str]) -> list[ClaimInput]:
    return [ClaimInput(serial, "STP-SE", date(2026, 6, 1)) for serial in serials]


def test_a_thousand_claims_with_duplicates_and_known_serials_are_judged_and_stored_once(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int],
        now: datetime) -> None:
    mine = [str(3_100_000_000 + n) for n in range(20)]
    theirs = [str(3_200_000_000 + n) for n in range(20)]
    _register(engine, fr_campaign, INSTALLER, _claims(mine), now - timedelta(days=1))
    _register(engine, fr_campaign, COMPETITOR, _claims(theirs), now - timedelta(days=1))
    competitor_ids = {r.serial: r.id for r in rows(
        engine, Registration, Registration.company_id == companies[COMPETITOR])}
    before = count_rows(engine)
    new = [str(3_000_000_000 + n) for n in range(900)]
    serials = new + new[:60] + mine + theirs
    random.Random(7).shuffle(serials)
    assert len(serials) == BATCH

    outcomes = _register(engine, fr_campaign, INSTALLER, _claims(serials), now)

    assert [o.claim.serial for o in outcomes] == serials
    seen: set[str] = set()
    for outcome in outcomes:
        serial = outcome.claim.serial
        assert outcome.verdict is not None
        if serial in theirs:
            assert outcome.verdict.reason is IneligibilityReason.ALREADY_REGISTERED_BY_OTHER
        elif serial in mine or serial in seen:
            assert outcome.verdict.reason is IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY
        else:
            assert outcome.verdict.eligible
            assert outcome.registration_id is not None
        seen.add(serial)
    after = count_rows(engine)
    accepted = [o for o in outcomes if o.verdict is not None and o.verdict.eligible]
    assert len(accepted) == len(new)
    assert after["registration"] - before["registration"] == len(new)
    assert after["status_event"] - before["status_event"] == len(new)
    asked = sum(o.verdict.status is Status.INFO_REQUIRED for o in accepted if o.verdict)
    assert after["information_request"] - before["information_request"] == asked
    rejected = rows(engine, RejectedClaim, col(RejectedClaim.at) == now)
    assert Counter(r.reason for r in rejected) == {"already_registered_by_other": len(theirs)}
    assert {r.serial: r.conflicting_registration_id for r in rejected} == competitor_ids


def test_a_thousand_claims_make_one_digest_notice_pair_not_one_per_row(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime) -> None:
    serials = [str(3_000_000_000 + n) for n in range(BATCH)]

    _register(engine, fr_campaign, INSTALLER, _claims(serials), now)

    notices = rows(engine, OutboxMessage)
    assert sorted(n.kind for n in notices) == ["chat", "email"]
    assert {n.company_id for n in notices} == {company_id}
    assert sorted(c.serial for c in changes_in(notices[0].payload)) == serials


def test_the_same_batch_sent_twice_registers_and_notifies_nothing_twice(
        engine: Engine, fr_campaign: Campaign, company_id: int, now: datetime) -> None:
    claims = _claims([str(3_000_000_000 + n) for n in range(200)])
    _register(engine, fr_campaign, INSTALLER, claims, now)
    before = count_rows(engine)

    again = _register(engine, fr_campaign, INSTALLER, claims, now + timedelta(minutes=5))

    assert {o.verdict.reason for o in again if o.verdict} == {
        IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY}
    assert count_rows(engine) == before


def test_no_serial_is_ever_registered_twice_in_a_campaign(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int],
        now: datetime) -> None:
    serials = [str(3_000_000_000 + n % 300) for n in range(BATCH)]
    _register(engine, fr_campaign, INSTALLER, _claims(serials), now)
    _register(engine, fr_campaign, COMPETITOR, _claims(serials[::-1]), now)

    with Session(engine) as session:
        doubled = session.exec(
            select(Registration.campaign_code, Registration.serial)
            .group_by(col(Registration.campaign_code), col(Registration.serial))
            .having(func.count() > 1)).all()
        total = session.exec(select(func.count()).select_from(Registration)).one()

    assert doubled == []
    assert total == 300
