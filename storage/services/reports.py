"""Reading what the report and the company statement show (the workbooks are built in core)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.campaign import Campaign
from core.information_requests import DocumentKind, RequestState
from core.report import AuditLine, OpenRequestLine, ReportData, Totals
from core.statement import StatementData, StatementLine
from core.statuses import Status
from storage.services.queries import company_summary
from storage.tables import Company, InformationRequest, Registration, StatusEvent


def report_data(session: Session, campaign: Campaign) -> ReportData:
    """Totals per company and per product, open requests and the audit trail of a campaign."""
    in_campaign = col(Registration.campaign_code) == campaign.code
    companies: dict[tuple[str, str], dict[Status, tuple[int, int]]] = defaultdict(dict)
    for number, name, status, count, cents in session.execute(
            sa_select(col(Company.customer_number), col(Company.name),
                      col(Registration.status), func.count(),
                      func.coalesce(func.sum(Registration.amount_cents), 0))
            .join(Company, col(Company.id) == Registration.company_id).where(in_campaign)
            .group_by(col(Company.customer_number), col(Company.name),
                      col(Registration.status))):
        companies[(number, name)][Status(status)] = (int(count), int(cents))
    products: dict[str, dict[Status, tuple[int, int]]] = defaultdict(dict)
    for code, status, count, cents in session.exec(
            select(Registration.product_code, Registration.status, func.count(),
                   func.coalesce(func.sum(Registration.amount_cents), 0))
            .where(in_campaign)
            .group_by(col(Registration.product_code), col(Registration.status))):
        products[code][Status(status)] = (int(count), int(cents))
    return ReportData(
        companies=[Totals(number, name, totals)
                   for (number, name), totals in sorted(companies.items())],
        products=[Totals(code, code, totals)
                  for code, totals in sorted(products.items())],
        requests=_open_requests(session, campaign),
        audit=_audit(session, campaign))


def _open_requests(session: Session, campaign: Campaign) -> list[OpenRequestLine]:
    known = {kind.value for kind in DocumentKind}
    rows = session.exec(
        select(InformationRequest, Registration, Company)
        .join(Registration, col(Registration.id) == InformationRequest.registration_id)
        .join(Company, col(Company.id) == Registration.company_id)
        .where(Registration.campaign_code == campaign.code,
               InformationRequest.state == RequestState.OPEN.value)
        .order_by(col(InformationRequest.due_on), col(InformationRequest.id)))
    return [OpenRequestLine(
        company.customer_number, company.name, registration.serial, registration.product_code,
        request.reference,
        tuple(DocumentKind(k) for k in request.documents_needed.split(",") if k in known),
        request.opened_at, request.due_on) for request, registration, company in rows]


def _audit(session: Session, campaign: Campaign) -> list[AuditLine]:
    rows = session.exec(
        select(StatusEvent, Registration.serial, Company.customer_number)
        .join(Registration, col(Registration.id) == StatusEvent.registration_id)
        .join(Company, col(Company.id) == Registration.company_id)
        .where(Registration.campaign_code == campaign.code)
        .order_by(col(StatusEvent.at), col(StatusEvent.id)))
    return [AuditLine(event.at, serial, number, event.from_status, event.to_status, event.actor,
                      event.channel, event.reason, event.detail)
            for event, serial, number in rows]


def statement_data(session: Session, company_id: int, *, now: datetime) -> StatementData:
    """A company's totals and every device it registered, oldest registration first."""
    company = session.get(Company, company_id)
    assert company is not None
    due: dict[int, date] = dict(session.execute(
        sa_select(col(InformationRequest.registration_id), col(InformationRequest.due_on))
        .join(Registration, col(Registration.id) == InformationRequest.registration_id)
        .where(col(Registration.company_id) == company_id,
               col(InformationRequest.state) == RequestState.OPEN.value)).all())
    lines = [StatementLine(r.serial, r.product_code, r.installed_on, r.registered_at,
                           Status(r.status), r.amount_cents, r.payment_reference, r.paid_on,
                           due.get(r.id or 0) if r.status == Status.INFO_REQUIRED.value else None)
             for r in session.exec(select(Registration)
                                   .where(Registration.company_id == company_id)
                                   .order_by(col(Registration.registered_at),
                                             col(Registration.id)))]
    return StatementData(company.customer_number, company.name,
                         company_summary(session, company_id), lines, now)

