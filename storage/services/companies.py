"""Enrolling companies and loading master data from the back office's files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, delete, select

from core.masterdata import Device as DeviceFacts
from storage.masterdata import load_devices
from storage.tables import Company, CompanyEmail
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class CompanyRecord:
    """A company as the enrolment file lists it."""

    customer_number: str
    name: str
    campaign_code: str
    language: str
    emails: tuple[str, ...]
    enrolled: bool = True


def import_companies(uow: UnitOfWork, *, records: Sequence[CompanyRecord],
                     now: datetime) -> tuple[int, int]:
    """Create or update companies and their registered addresses; returns (added, updated)."""
    added = updated = 0
    for record in records:
        company = uow.session.exec(select(Company).where(
            Company.customer_number == record.customer_number)).first()
        if company is None:
            company = Company(customer_number=record.customer_number, name=record.name,
                              campaign_code=record.campaign_code, language=record.language,
                              enrolled=record.enrolled, created_at=now)
            added += 1
        else:
            company.name = record.name
            company.campaign_code = record.campaign_code
            company.language = record.language
            company.enrolled = record.enrolled
            updated += 1
        uow.session.add(company)
        uow.session.flush()
        uow.session.execute(delete(CompanyEmail).where(col(CompanyEmail.company_id) == company.id))
        assert company.id is not None
        for email in dict.fromkeys(e.strip().lower() for e in record.emails if e.strip()):
            uow.session.add(CompanyEmail(company_id=company.id, email=email))
    uow.commit()
    return added, updated


def import_masterdata(uow: UnitOfWork, *, devices: Sequence[DeviceFacts]) -> tuple[int, int]:
    """Load the manufacturer's device list; returns (added, updated)."""
    result = load_devices(uow.session, devices)
    uow.commit()
    return result


def company_emails(uow: UnitOfWork, company_id: int) -> list[str]:
    """The company's registered addresses."""
    return list(uow.session.exec(select(CompanyEmail.email)
                                 .where(CompanyEmail.company_id == company_id)))
