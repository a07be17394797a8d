"""Importing a bulk registration template: every row judged like a single registration.

All accepted rows, their events, requests and the one digest notice commit together with the
record of the file (by content hash), so the same file sent twice registers nothing twice,
even when both copies arrive at the same moment.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import select

from core.campaign import Campaign
from core.collector import collector_paused
from core.i18n import N_, LocalizedError
from core.statuses import Channel
from core.template import (
    DEFAULT_LIMITS,
    Limits,
    Mark,
    ParsedRow,
    ReadResult,
    RowProblem,
    RowResult,
    content_hash,
    read_rows,
)
from storage.services.lookup import company_by_number
from storage.services.registrations import ClaimInput, commit_racing, judge_and_store
from storage.tables import ImportBatch
from storage.uow import UnitOfWork


class CompanyCannotImport(LocalizedError):
    """The company is not enrolled in this campaign: no row could be registered."""


@dataclass(frozen=True)
class ImportReport:
    """What an upload did. ``first_processed_at`` is set when the file had been seen before."""

    batch_id: int
    filename: str
    first_processed_at: datetime | None
    read: ReadResult | None
    results: tuple[RowResult, ...]
    counts: dict[str, int]
    amount: Decimal

    @property
    def duplicate(self) -> bool:
        """The same file was already processed for this company: nothing was registered."""
        return self.first_processed_at is not None


def import_template(uow: UnitOfWork, *, campaign: Campaign, customer_number: str, data: bytes,
                    filename: str, channel: Channel, actor: str, now: datetime,
                    limits: Limits = DEFAULT_LIMITS) -> ImportReport:
    """Read an uploaded template and register its rows; raises TemplateError for bad files."""
    with collector_paused():
        return _import_template(uow, campaign=campaign, customer_number=customer_number,
                                data=data, filename=filename, channel=channel, actor=actor,
                                now=now, limits=limits)


def _import_template(uow: UnitOfWork, *, campaign: Campaign, customer_number: str,
                     data: bytes, filename: str, channel: Channel, actor: str, now: datetime,
                     limits: Limits) -> ImportReport:
    company = company_by_number(uow.session, customer_number)
    if not company.enrolled or company.campaign_code != campaign.code:
        raise CompanyCannotImport(
            N_("Your company is not enrolled in the campaign %(campaign)s, so no device can be "
               "registered. The company must first enrol in the cashback campaign."),
            campaign=campaign.code)
    assert company.id is not None
    digest = content_hash(data)
    earlier = _earlier(uow, company.id, digest)
    if earlier is not None:
        return earlier
    read = read_rows(data, filename, campaign, limits)

    def work() -> ImportReport:
        seen = _earlier(uow, company.id or 0, digest)
        if seen is not None:
            return seen
        valid = read.valid
        outcomes = judge_and_store(
            uow.session, campaign, customer_number,
            [_claim(row) for row in valid], channel, actor, now)
        judged = {row.row_number: outcome for row, outcome in zip(valid, outcomes, strict=True)}
        results = []
        for row in read.rows:
            outcome = judged.get(row.row_number)
            if outcome is None:
                results.append(RowResult.of(row))
            elif outcome.verdict is None:
                results.append(RowResult(row.row_number, row.serial,
                                         RowProblem.INSTALLATION_IN_FUTURE))
            else:
                results.append(RowResult.of(row, outcome.verdict))
        counts = dict(Counter(result.mark.value for result in results))
        amount = sum((result.amount for result in results), Decimal(0))
        batch = ImportBatch(company_id=company.id or 0, sha256=digest, filename=filename[:255],
                            channel=channel.value, created_at=now, row_count=len(read.rows),
                            summary=json.dumps({"counts": counts, "amount": str(amount)}))
        uow.session.add(batch)
        uow.session.flush()
        assert batch.id is not None
        return ImportReport(batch.id, filename, None, read, tuple(results), counts, amount)

    return commit_racing(uow, work)


def _claim(row: ParsedRow) -> ClaimInput:
    assert row.installed_on is not None, "a row without a date is never valid"
    return ClaimInput(row.serial, row.product_code, row.installed_on)


def _earlier(uow: UnitOfWork, company_id: int, digest: str) -> ImportReport | None:
    batch = uow.session.exec(select(ImportBatch).where(
        ImportBatch.company_id == company_id, ImportBatch.sha256 == digest)).first()
    if batch is None:
        return None
    assert batch.id is not None
    summary = json.loads(batch.summary)
    return ImportReport(batch.id, batch.filename, batch.created_at, None, (),
                        {str(k): int(v) for k, v in summary["counts"].items()},
                        Decimal(summary["amount"]))


def marks_in_order() -> tuple[Mark, ...]:
    """The order summaries list results in: what needs action first."""
    return (Mark.REJECTED, Mark.PROOF, Mark.ACCEPTED, Mark.UNCHANGED)
