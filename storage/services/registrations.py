"""Registering devices: one or thousands, always through the same rules and one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.campaign import Campaign
from core.eligibility import (
    Claim,
    ClaimInvalid,
    ClaimProblem,
    CompanyFacts,
    ExistingRegistration,
    IneligibilityReason,
    Verdict,
    evaluate,
)
from core.information_requests import RequestState
from core.masterdata import InMemoryMasterData, NoMasterData
from core.serials import normalise_serial
from core.statuses import Channel, Status
from storage.bulk import Rows, insert_rows, insert_rows_returning_ids
from storage.masterdata import DatabaseMasterData, chunked
from storage.outbox import StatusChange, notify_status_changes
from storage.serial_sets import SERIALS_PER_QUERY, among
from storage.status_changes import new_reference
from storage.tables import (
    Company,
    InformationRequest,
    Registration,
    RejectedClaim,
    StatusEvent,
)
from storage.uow import UnitOfWork

MAX_RACE_RETRIES = 3
T = TypeVar("T")


class ClaimInput(NamedTuple):
    """A device as the installer described it, before any check.

    Claims and outcomes are named tuples, not frozen dataclasses: a bulk import builds one
    of each per row, and tuples are built two to three times faster.
    """

    serial: str
    product: str | None
    installed_on: date


class ClaimOutcome(NamedTuple):
    """What happened to one claim: a verdict, or why it could not be judged."""

    claim: ClaimInput
    verdict: Verdict | None
    problem: ClaimProblem | None = None
    registration_id: int | None = None
    reference: str | None = None


def register(uow: UnitOfWork, *, campaign: Campaign, customer_number: str, claim: ClaimInput,
             channel: Channel, actor: str, now: datetime) -> ClaimOutcome:
    """Register one device; see :func:`register_many`."""
    return register_many(uow, campaign=campaign, customer_number=customer_number,
                         claims=[claim], channel=channel, actor=actor, now=now)[0]


def register_many(uow: UnitOfWork, *, campaign: Campaign, customer_number: str,
                  claims: Sequence[ClaimInput], channel: Channel, actor: str,
                  now: datetime) -> list[ClaimOutcome]:
    """Judge every claim and store the accepted ones, their events and notices at once.

    A serial registered by someone else between our read and our write makes the insert fail
    on the database's unique constraint; the whole unit is then re-judged, so the loser of
    the race is told "already registered" and nothing is stored twice.
    """
    return commit_racing(uow, lambda: judge_and_store(uow.session, campaign, customer_number,
                                                      claims, channel, actor, now))


def commit_racing(uow: UnitOfWork, work: Callable[[], T]) -> T:
    """Run ``work`` and commit; if a concurrent writer won a unique constraint, run it again.

    The second run reads what the winner stored and answers accordingly ("already
    registered", "file already processed"), so nothing is stored twice and nobody sees an error.
    """
    for attempt in range(MAX_RACE_RETRIES):
        try:
            result = work()
            uow.commit()
            return result
        except IntegrityError:
            uow.rollback()
            if attempt == MAX_RACE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class CompanyClaims:
    """One company's claims, when several companies' are judged in one pass (the portal)."""

    customer_number: str
    claims: Sequence[ClaimInput]


def judge_and_store(session: Session, campaign: Campaign, customer_number: str,
                   claims: Sequence[ClaimInput], channel: Channel, actor: str,
                   now: datetime) -> list[ClaimOutcome]:
    """Judge claims and write the accepted ones, in the caller's transaction (no commit)."""
    return judge_and_store_companies(session, campaign, [CompanyClaims(customer_number, claims)],
                                     channel, actor, now)[0]


def judge_and_store_companies(session: Session, campaign: Campaign,
                              batches: Sequence[CompanyClaims], channel: Channel, actor: str,
                              now: datetime) -> list[list[ClaimOutcome]]:
    """Several companies' claims judged and written with one set of bulk statements.

    Each company's outcomes come back in its own list; each company gets its own digest. A
    serial claimed twice in the pass is "already registered" the second time, by whoever
    claimed it first.
    """
    companies = _companies(session, [batch.customer_number.strip() for batch in batches])
    claims = [claim for batch in batches for claim in batch.claims]
    serials = [normalise_serial(c.serial) for c in claims]
    existing = _existing(session, campaign.code, serials)
    database_masterdata = DatabaseMasterData(session)
    masterdata = (InMemoryMasterData(database_masterdata.lookup(serials))
                  if database_masterdata.available else NoMasterData())

    outcomes: list[ClaimOutcome] = []
    owners: list[int | None] = []
    accepted: list[tuple[int, Verdict]] = []
    claimed: dict[str, str] = {}
    for batch in batches:
        company = companies.get(batch.customer_number.strip())
        facts = CompanyFacts(
            customer_number=batch.customer_number.strip(),
            enrolled=company is not None and company.enrolled
            and company.campaign_code == campaign.code,
        )
        owner = company.id if company is not None else None
        for claim in batch.claims:
            index = len(outcomes)
            serial = serials[index]
            owners.append(owner)
            before = existing.get(serial)
            if before is None and serial in claimed:
                before = ExistingRegistration(claimed[serial], Status.PENDING_PAYMENT)
            try:
                verdict = evaluate(
                    Claim(company=facts, serial=serial, declared_product=claim.product,
                          installed_on=claim.installed_on, registered_at=now, channel=channel),
                    campaign, _suggesting(masterdata, database_masterdata, serial), before)
            except ClaimInvalid as invalid:
                outcomes.append(ClaimOutcome(claim, None, problem=invalid.problem))
                continue
            outcomes.append(ClaimOutcome(claim, verdict))
            if verdict.eligible:
                claimed[serial] = facts.customer_number
                accepted.append((index, verdict))
    # 100,000 claims' master data is tens of megabytes the storing below does not need.
    del masterdata, database_masterdata
    if accepted:
        outcomes = _store_accepted(session, campaign, owners, outcomes, accepted, channel,
                                   actor, now)
    _store_rejected(session, campaign, owners, outcomes, existing, channel, now)
    split: list[list[ClaimOutcome]] = []
    start = 0
    for batch in batches:
        split.append(outcomes[start:start + len(batch.claims)])
        start += len(batch.claims)
    return split


def _companies(session: Session, numbers: Sequence[str]) -> dict[str, Company]:
    found: dict[str, Company] = {}
    for chunk in chunked(dict.fromkeys(numbers)):
        for company in session.exec(select(Company).where(
                col(Company.customer_number).in_(chunk))):
            found[company.customer_number] = company
    return found


def _suggesting(batch: InMemoryMasterData | NoMasterData, database: DatabaseMasterData,
                serial: str) -> InMemoryMasterData | NoMasterData | DatabaseMasterData:
    # The batch view knows only the claimed serials; suggestions need the whole table.
    if isinstance(batch, InMemoryMasterData) and serial not in batch.devices:
        return database
    return batch


def _existing(session: Session, campaign_code: str,
              serials: Sequence[str]) -> dict[str, ExistingRegistration]:
    found: dict[str, ExistingRegistration] = {}
    connection = session.connection()
    for batch in chunked(dict.fromkeys(serials), SERIALS_PER_QUERY):
        rows = connection.execute(
            select(Registration.serial, Company.customer_number, Registration.status)
            .join(Company, col(Company.id) == Registration.company_id)
            .where(Registration.campaign_code == campaign_code,
                   among(session, col(Registration.serial), batch)))
        for serial, number, status in rows:
            found[serial] = ExistingRegistration(number, Status(status))
    return found


def _store_accepted(session: Session, campaign: Campaign, owners: Sequence[int | None],
                    outcomes: list[ClaimOutcome], accepted: list[tuple[int, Verdict]],
                    channel: Channel, actor: str, now: datetime) -> list[ClaimOutcome]:
    changes: dict[int, list[StatusChange]] = {}
    cents: dict[Decimal, int] = {}
    for chunk in chunked(accepted, 1000):
        amounts = [cents.get(v.amount) or cents.setdefault(v.amount, int(v.amount * 100))
                   for _, v in chunk]
        ids = insert_rows_returning_ids(session, Registration, Rows(
            ("serial", "company_id", "product_code", "installed_on", "status", "amount_cents"),
            [(v.serial, owners[i], v.product_code, outcomes[i].claim.installed_on,
              v.status.value, amount) for (i, v), amount in zip(chunk, amounts, strict=True)],
            shared={"campaign_code": campaign.code, "registered_at": now,
                    "channel": channel.value, "updated_at": now}))
        reasons = [v.info_reason.value if v.info_reason else None for _, v in chunk]
        insert_rows(session, StatusEvent, Rows(
            ("registration_id", "to_status", "reason"),
            [(rid, v.status.value, reason)
             for rid, (_, v), reason in zip(ids, chunk, reasons, strict=True)],
            shared={"at": now, "actor": actor, "channel": channel.value, "from_status": None}))
        requests = []
        for rid, (i, v), amount, reason in zip(ids, chunk, amounts, reasons, strict=True):
            reference = None
            if v.status is Status.INFO_REQUIRED:
                assert v.terms is not None
                reference = new_reference()
                requests.append((rid, reference, reason, ",".join(v.documents_needed),
                                 v.terms.due_on))
            outcomes[i] = ClaimOutcome(outcomes[i].claim, v, registration_id=rid,
                                       reference=reference)
            changes.setdefault(owners[i] or 0, []).append(StatusChange(
                registration_id=rid, serial=v.serial, product_code=v.product_code or "",
                from_status=None, to_status=v.status.value, amount_cents=amount, reason=reason,
                due_on=v.terms.due_on if v.terms else None, reference=reference))
        insert_rows(session, InformationRequest, Rows(
            ("registration_id", "reference", "info_reason", "documents_needed", "due_on"),
            requests,
            shared={"opened_at": now, "state": RequestState.OPEN.value, "reminders_sent": ""}))
    for company_id, announced in changes.items():
        notify_status_changes(session, company_id=company_id, changes=announced, now=now)
    return outcomes


def _store_rejected(session: Session, campaign: Campaign, owners: Sequence[int | None],
                    outcomes: list[ClaimOutcome], existing: dict[str, ExistingRegistration],
                    channel: Channel, now: datetime) -> None:
    """Keep refused claims: the operator reads conflicts and mistakes from them."""
    rows = [{
        "campaign_code": campaign.code, "company_id": owners[i],
        "serial": o.verdict.serial[:64], "declared_product": (o.claim.product or "")[:32] or None,
        "installed_on": o.claim.installed_on, "reason": o.verdict.reason.value,
        "channel": channel.value, "at": now,
    } for i, o in enumerate(outcomes) if o.verdict is not None and o.verdict.reason is not None
        and o.verdict.reason is not IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY]
    if not rows:
        return
    conflicts = _registration_ids(session, campaign.code, [
        r["serial"] for r in rows
        if r["reason"] == IneligibilityReason.ALREADY_REGISTERED_BY_OTHER.value])
    for row in rows:
        row["conflicting_registration_id"] = conflicts.get(str(row["serial"]))
    for chunk in chunked(rows, 1000):
        insert_rows(session, RejectedClaim, chunk)


def _registration_ids(session: Session, campaign_code: str,
                      serials: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunked(serials):
        for rid, serial in session.exec(
                select(Registration.id, Registration.serial)
                .where(Registration.campaign_code == campaign_code,
                       col(Registration.serial).in_(chunk))):
            assert rid is not None
            found[serial] = rid
    return found
