"""What a portal import did, read back: per-company counts, totals and the rows to check.

Written by :mod:`storage.services.portal` into the import's row (summary) and the problem
table; read here for a re-import's answer, ``cashback portal problems`` and the daily job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from core.i18n import N_
from storage.services.lookup import NotFound
from storage.tables import Company, PortalImport, PortalProblem


@dataclass(frozen=True)
class CompanyTally:
    """What one export did for one company, counted by outcome."""

    customer_number: str
    name: str
    counts: dict[str, int]


@dataclass(frozen=True)
class ProblemRow:
    """A row the operator must look at: wrong customer number, or unreadable."""

    row_number: int
    handling: str
    portal_user: str
    customer_number: str
    plant: str
    serial: str
    detail: str | None


@dataclass(frozen=True)
class PortalReport:
    """What an export did; ``first_processed_at`` is set when it had been imported before."""

    import_id: int
    filename: str
    created_at: datetime
    first_processed_at: datetime | None
    totals: dict[str, int]
    companies: tuple[CompanyTally, ...]
    problems: tuple[ProblemRow, ...] = field(default=())

    @property
    def duplicate(self) -> bool:
        """The same export was already imported: nothing changed this time."""
        return self.first_processed_at is not None


@dataclass(frozen=True)
class EnrolledRow:
    """An enrolled company as the import needs it."""

    id: int
    name: str
    campaign_code: str


def earlier_import(session: Session, digest: str) -> PortalReport | None:
    """The report of an export with these bytes, if it was imported already."""
    batch = session.exec(select(PortalImport).where(PortalImport.sha256 == digest)).first()
    return None if batch is None else import_report(session, batch, duplicate=True)


def job_done(session: Session, job_day: date | None) -> PortalReport | None:
    """The daily job's import of ``job_day``, when another process already did it."""
    if job_day is None:
        return None
    batch = session.exec(select(PortalImport).where(PortalImport.job_day == job_day)).first()
    return None if batch is None else import_report(session, batch, duplicate=True)


def job_imported_on(session: Session, job_day: date) -> bool:
    """Whether the daily job already imported an export on ``job_day``."""
    return job_done(session, job_day) is not None


def find_import(session: Session, import_id: int | None = None) -> PortalReport:
    """An import's report by id, or the latest import's."""
    statement = select(PortalImport)
    statement = (statement.where(PortalImport.id == import_id) if import_id is not None
                 else statement.order_by(col(PortalImport.id).desc()))
    batch = session.exec(statement).first()
    if batch is None:
        raise NotFound(N_("No portal export has been imported yet.") if import_id is None
                       else N_("No portal import #%(id)s."), id=import_id)
    return import_report(session, batch, duplicate=False)


def import_report(session: Session, batch: PortalImport, *, duplicate: bool) -> PortalReport:
    """An import's report read back from the database (its summary and problem rows)."""
    problems = tuple(ProblemRow(p.row_number, p.handling, p.portal_user, p.customer_number,
                                p.plant, p.serial, p.detail)
                     for p in session.exec(select(PortalProblem).where(
                         PortalProblem.import_id == batch.id)
                         .order_by(col(PortalProblem.row_number))))
    return report_of(batch, batch.created_at if duplicate else None,
                     enrolled_companies(session), problems)


def report_of(batch: PortalImport, first: datetime | None, companies: Mapping[str, EnrolledRow],
              problems: Sequence[ProblemRow]) -> PortalReport:
    """The report of an import from its summary (company names from ``companies``)."""
    assert batch.id is not None
    summary = json.loads(batch.summary)
    tallies = tuple(CompanyTally(number, companies[number].name if number in companies else "?",
                                 {str(k): int(v) for k, v in counts.items()})
                    for number, counts in summary.get("companies", {}).items())
    return PortalReport(batch.id, batch.filename, batch.created_at, first,
                        {str(k): int(v) for k, v in summary.get("totals", {}).items()},
                        tallies, tuple(problems))


def enrolled_companies(session: Session) -> dict[str, EnrolledRow]:
    """Every enrolled company by customer number."""
    rows = session.exec(
        select(Company.id, Company.customer_number, Company.name, Company.campaign_code)
        .where(col(Company.enrolled).is_(True)))
    return {number: EnrolledRow(cid, name, campaign)
            for cid, number, name, campaign in rows if cid is not None}
