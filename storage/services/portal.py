"""Importing a Sunny Portal export: one transaction per export, the same export twice is a no-op.

The rows are decided by :mod:`core.portal`; the devices to transfer go company by company
through the same rules engine as every other registration (channel ``portal``); manual-only
devices are recorded and their company is told once; rows with a wrong customer number or
unreadable data are kept for the operator. The export's content hash, and every serial it
handled, are written in the same transaction, so a re-import, or tomorrow's export repeating
today's devices, changes nothing.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime

from sqlmodel import Session, col, select

from core.campaign import Campaign
from core.eligibility import IneligibilityReason
from core.portal import PROBLEMS, Decision, EnrolledCompany, Handling, decide
from core.portal_export import BrokenRow, read_export
from core.statuses import Channel
from core.template import content_hash
from storage.bulk import insert_rows
from storage.masterdata import chunked
from storage.services.portal_notice import notify_manual_only
from storage.services.portal_reports import (
    EnrolledRow,
    PortalReport,
    ProblemRow,
    earlier_import,
    enrolled_companies,
    job_done,
    report_of,
)
from storage.services.registrations import (
    ClaimInput,
    ClaimOutcome,
    CompanyClaims,
    commit_racing,
    judge_and_store_companies,
)
from storage.tables import PortalDevice, PortalImport, PortalProblem, Registration
from storage.uow import UnitOfWork

TRANSFERRED = "transferred"
MANUAL_ONLY = Handling.MANUAL_ONLY.value
# What a company's tally counts besides the verdicts' statuses.
ALREADY_REGISTERED = "already_registered"
ALREADY_HANDLED = "already_handled"
INVALID = "invalid"


def import_portal_export(uow: UnitOfWork, *, campaigns: Mapping[str, Campaign], data: bytes,
                         filename: str, actor: str, now: datetime, source: str = "operator",
                         job_day: date | None = None) -> PortalReport:
    """Apply one export (raises PortalExportError when the file is no export at all)."""
    digest = content_hash(data)
    earlier = earlier_import(uow.session, digest)
    if earlier is not None:
        return earlier
    export = read_export(data, filename)

    def work() -> PortalReport:
        seen = earlier_import(uow.session, digest) or job_done(uow.session, job_day)
        if seen is not None:
            return seen
        batch = PortalImport(sha256=digest, filename=filename[:255], source=source,
                             job_day=job_day, actor=actor[:120], created_at=now,
                             row_count=len(export.rows) + len(export.broken), summary="{}")
        uow.session.add(batch)
        uow.session.flush()
        assert batch.id is not None
        companies = enrolled_companies(uow.session)
        decisions = decide(export, {n: EnrolledCompany(n, c.campaign_code)
                                    for n, c in companies.items()}, campaigns)
        tallies: dict[str, Counter[str]] = defaultdict(Counter)
        totals: Counter[str] = Counter(d.handling.value for d in decisions)
        totals["rows"] = len(decisions)
        fresh = _not_handled_before(uow.session, decisions, companies, tallies)
        _transfer(uow.session, batch.id, campaigns, companies, fresh, tallies, actor, now)
        _manual_only(uow.session, batch.id, campaigns, companies, fresh, tallies, now)
        problems = _store_problems(uow.session, batch.id, decisions)
        totals[TRANSFERRED] = sum(t[s] for t in tallies.values()
                                  for s in ("pending_payment", "info_required", "ineligible"))
        batch.summary = json.dumps({"totals": dict(totals), "companies": {
            number: dict(tally) for number, tally in sorted(tallies.items())}})
        uow.session.add(batch)
        return report_of(batch, None, companies, problems)

    return commit_racing(uow, work)


def _not_handled_before(session: Session, decisions: Sequence[Decision],
                        companies: Mapping[str, EnrolledRow],
                        tallies: dict[str, Counter[str]]) -> list[Decision]:
    """The transfer and manual-only rows whose serial no export (nor this one) handled yet."""
    wanted = [d for d in decisions if d.handling in (Handling.TRANSFER, Handling.MANUAL_ONLY)]
    by_campaign: dict[str, list[str]] = defaultdict(list)
    for decision in wanted:
        by_campaign[companies[decision.customer_number].campaign_code].append(decision.row.serial)
    handled: set[tuple[str, str]] = set()
    for campaign_code, serials in by_campaign.items():
        for chunk in chunked(dict.fromkeys(serials)):
            handled.update((campaign_code, serial) for serial in session.exec(
                select(PortalDevice.serial).where(PortalDevice.campaign_code == campaign_code,
                                                  col(PortalDevice.serial).in_(chunk))))
    fresh = []
    for decision in wanted:
        key = (companies[decision.customer_number].campaign_code, decision.row.serial)
        if key in handled:
            tallies[decision.customer_number][ALREADY_HANDLED] += 1
            continue
        handled.add(key)
        fresh.append(decision)
    for decision in decisions:
        if decision.handling in (Handling.NOT_RETROACTIVE, Handling.NOT_IN_CAMPAIGN):
            tallies[decision.customer_number][decision.handling.value] += 1
    return fresh


def _transfer(session: Session, import_id: int, campaigns: Mapping[str, Campaign],
              companies: Mapping[str, EnrolledRow], fresh: Sequence[Decision],
              tallies: dict[str, Counter[str]], actor: str, now: datetime) -> None:
    """Each company's devices through the rules engine, as one batch per company."""
    by_campaign: dict[str, dict[str, list[Decision]]] = defaultdict(lambda: defaultdict(list))
    for decision in fresh:
        if decision.handling is Handling.TRANSFER:
            number = decision.customer_number
            by_campaign[companies[number].campaign_code][number].append(decision)
    devices = []
    for campaign_code, by_company in by_campaign.items():
        batches = [CompanyClaims(number, [ClaimInput(d.row.serial, d.product_code, _day(d))
                                          for d in decisions])
                   for number, decisions in by_company.items()]
        judged = judge_and_store_companies(session, campaigns[campaign_code], batches,
                                           Channel.PORTAL, actor, now)
        for (number, decisions), outcomes in zip(by_company.items(), judged, strict=True):
            devices += _tally(import_id, companies[number], decisions, outcomes, tallies[number])
    _insert(session, devices)


def _tally(import_id: int, company: EnrolledRow, decisions: Sequence[Decision],
           outcomes: Sequence[ClaimOutcome], tally: Counter[str]) -> list[dict[str, object]]:
    """Count one company's verdicts; the devices judged are recorded as handled."""
    devices = []
    for decision, outcome in zip(decisions, outcomes, strict=True):
        verdict = outcome.verdict
        if verdict is None:  # commissioned "in the future": judged again another day
            tally[INVALID] += 1
            continue
        if verdict.reason is IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY:
            tally[ALREADY_REGISTERED] += 1
        else:
            tally[verdict.status.value] += 1
        devices.append(_device(import_id, company, decision, TRANSFERRED))
    return devices


def _manual_only(session: Session, import_id: int, campaigns: Mapping[str, Campaign],
                 companies: Mapping[str, EnrolledRow], fresh: Sequence[Decision],
                 tallies: dict[str, Counter[str]], now: datetime) -> None:
    """Record manual-only devices and tell each company about those not registered yet."""
    manual = [d for d in fresh if d.handling is Handling.MANUAL_ONLY]
    registered = _registered(session, [(companies[d.customer_number].campaign_code, d.row.serial)
                                       for d in manual])
    by_company: dict[str, list[Decision]] = defaultdict(list)
    for decision in manual:
        company = companies[decision.customer_number]
        if (company.campaign_code, decision.row.serial) in registered:
            tallies[decision.customer_number][ALREADY_REGISTERED] += 1
        else:
            tallies[decision.customer_number][MANUAL_ONLY] += 1
            by_company[decision.customer_number].append(decision)
    _insert(session, [_device(import_id, companies[d.customer_number], d, MANUAL_ONLY)
                      for d in manual])
    for number, decisions in by_company.items():
        company = companies[number]
        notify_manual_only(session, company_id=company.id, import_id=import_id,
                           campaign=campaigns[company.campaign_code],
                           devices=[(d.row.serial, d.product_code or "", _day(d))
                                    for d in decisions], now=now)


def _registered(session: Session, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    by_campaign: dict[str, list[str]] = defaultdict(list)
    for campaign_code, serial in keys:
        by_campaign[campaign_code].append(serial)
    for campaign_code, serials in by_campaign.items():
        for chunk in chunked(dict.fromkeys(serials)):
            found.update((campaign_code, s) for s in session.exec(
                select(Registration.serial).where(Registration.campaign_code == campaign_code,
                                                  col(Registration.serial).in_(chunk))))
    return found


def _store_problems(session: Session, import_id: int,
                    decisions: Sequence[Decision]) -> list[ProblemRow]:
    problems = []
    for decision in decisions:
        if decision.handling not in PROBLEMS:
            continue
        row = decision.row
        detail = (row.defect.value if isinstance(row, BrokenRow)
                  else " ".join(decision.did_you_mean) or None)
        problems.append(ProblemRow(
            row_number=row.row_number, handling=decision.handling.value,
            portal_user=row.portal_user[:200], customer_number=row.customer_number[:200],
            plant=row.plant[:200], serial=row.serial[:64], detail=(detail or "")[:200] or None))
    for chunk in chunked(problems, 1000):
        insert_rows(session, PortalProblem, [{"import_id": import_id, **asdict(p)} for p in chunk])
    return problems


def _device(import_id: int, company: EnrolledRow, decision: Decision,
            handling: str) -> dict[str, object]:
    return {"import_id": import_id, "campaign_code": company.campaign_code,
            "serial": decision.row.serial, "company_id": company.id,
            "product_code": decision.product_code, "installed_on": _day(decision),
            "handling": handling}


def _insert(session: Session, rows: Sequence[dict[str, object]]) -> None:
    for chunk in chunked(rows, 1000):
        insert_rows(session, PortalDevice, chunk)


def _day(decision: Decision) -> date:
    assert decision.installed_on is not None
    return decision.installed_on
