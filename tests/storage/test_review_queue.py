"""The operator's queue (registrations under review with their documents), payments by
registration id, and what the report and the company statement read."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from storage_support import INSTALLER, PDF, SENDER, Lifecycle, registration

from core.campaign import Campaign
from core.statuses import Status
from storage.documents import DocumentStore
from storage.services.payments import PaymentLine, PaymentOutcome, record_payments
from storage.services.reports import report_data, statement_data
from storage.services.review_queue import review_item, under_review
from storage.uow import UnitOfWork


def test_the_queue_lists_registrations_under_review_oldest_first_with_their_documents(
        engine: Engine, store: DocumentStore, fr_campaign: Campaign,
        lifecycle: Lifecycle) -> None:
    first = lifecycle.under_review()
    lifecycle.now += timedelta(hours=1)
    second = lifecycle.under_review()
    lifecycle.pending_payment()

    with UnitOfWork(engine) as uow:
        queue = under_review(uow.session, store, campaign_code=fr_campaign.code)

    assert [item.serial for item in queue] == [first, second]
    [document] = queue[0].documents
    assert (document.filename, document.content_type, document.size, document.sender,
            document.channel) == ("invoice.pdf", "application/pdf", len(PDF), SENDER, "email")
    assert Path(document.path).read_bytes() == PDF
    assert queue[0].customer_number == INSTALLER


def test_one_registration_shows_its_documents_whatever_its_status(
        engine: Engine, store: DocumentStore, fr_campaign: Campaign,
        lifecycle: Lifecycle) -> None:
    serial = lifecycle.ineligible()

    with UnitOfWork(engine) as uow:
        item = review_item(uow.session, store, campaign_code=fr_campaign.code, serial=serial)

    assert (item.status, len(item.documents)) == ("ineligible", 1)


def test_a_payment_line_may_name_the_registration_by_its_id(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle, now: datetime) -> None:
    serial = lifecycle.pending_payment()
    found = registration(engine, serial)
    line = PaymentLine("", "VIR-9", date(2026, 7, 1), found.id)

    with UnitOfWork(engine) as uow:
        [first] = record_payments(uow, campaign=fr_campaign, lines=[line], operator="anne",
                                  now=now)
    with UnitOfWork(engine) as uow:
        [again] = record_payments(uow, campaign=fr_campaign, lines=[line], operator="anne",
                                  now=now)

    assert (first.outcome, again.outcome) == (PaymentOutcome.PAID, PaymentOutcome.ALREADY_PAID)
    assert registration(engine, serial).payment_reference == "VIR-9"


def test_a_payment_line_whose_id_and_serial_disagree_pays_nothing(
        engine: Engine, fr_campaign: Campaign, it_campaign: Campaign, lifecycle: Lifecycle,
        now: datetime) -> None:
    one, other = lifecycle.pending_payment(), lifecycle.pending_payment()
    lines = [PaymentLine(other, "VIR-1", date(2026, 7, 1), registration(engine, one).id)]

    with UnitOfWork(engine) as uow:
        [result] = record_payments(uow, campaign=fr_campaign, lines=lines, operator="anne",
                                   now=now)
    with UnitOfWork(engine) as uow:  # the id of a French registration, in the Italian campaign
        [elsewhere] = record_payments(uow, campaign=it_campaign, lines=[PaymentLine(
            "", "VIR-2", date(2026, 7, 1), registration(engine, one).id)], operator="anne",
            now=now)

    assert (result.outcome, elsewhere.outcome) == (PaymentOutcome.NOT_FOUND,
                                                   PaymentOutcome.NOT_FOUND)
    assert registration(engine, one).status == registration(engine, other).status == \
        Status.PENDING_PAYMENT.value


def test_the_report_counts_per_company_and_product_lists_open_requests_and_the_trail(
        engine: Engine, fr_campaign: Campaign, lifecycle: Lifecycle) -> None:
    lifecycle.pending_payment()
    lifecycle.paid()
    waiting = lifecycle.info_required()

    with UnitOfWork(engine) as uow:
        data = report_data(uow.session, fr_campaign)

    [company] = data.companies
    amount = fr_campaign.product("STP-SE").amount  # type: ignore[union-attr]
    cents = int(amount * 100)
    assert company.key == INSTALLER
    assert dict(company.per_status) == {Status.PENDING_PAYMENT: (1, cents),
                                        Status.PAID: (1, cents),
                                        Status.INFO_REQUIRED: (1, cents)}
    assert [p.key for p in data.products] == ["STP-SE"]
    assert [r.serial for r in data.requests] == [waiting]
    assert len(data.audit) == 4  # three verdicts and one payment


def test_the_statement_lists_every_device_of_the_company_with_its_payment(
        engine: Engine, company_id: int, lifecycle: Lifecycle, now: datetime) -> None:
    paid = lifecycle.paid()
    waiting = lifecycle.info_required()

    with UnitOfWork(engine) as uow:
        data = statement_data(uow.session, company_id, now=now)

    lines = {line.serial: line for line in data.lines}
    assert (lines[paid].status, lines[paid].payment_reference) == (Status.PAID, "PAY-1")
    assert lines[waiting].documents_due_on is not None
    assert data.summary.count == 2
