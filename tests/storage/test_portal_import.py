"""Importing a Sunny Portal export: transfers through the rules, once, with problems kept."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from storage_support import COMPETITOR, INSTALLER, ITALIAN, KnownSerials, count_rows, rows

from core.campaign import Campaign
from core.portal_export import PortalExportError
from core.statuses import Channel, Status
from storage.services.portal import import_portal_export
from storage.services.portal_notice import (
    MANUAL_ONLY_TOPIC,
    NothingToRegister,
    register_manual_devices,
)
from storage.services.portal_reports import PortalReport
from storage.services.registrations import ClaimInput, register
from storage.tables import OutboxMessage, PortalProblem, Registration, StatusEvent
from storage.uow import UnitOfWork

HEADER = ("portal_user;customer_number;customer_number_entered_at;plant;serial;product;"
          "device_added_at;commissioned_on")


def line(serial: str, product: str = "STP-SE", *, number: str = INSTALLER,
         added: str = "2026-06-11", entered: str = "2026-06-10",
         commissioned: str = "2026-06-05") -> str:
    return ";".join(("marie@installer.example", number, entered, "Maison Dupont", serial,
                     product, added, commissioned))


@pytest.fixture(autouse=True)
def enrolled(companies: dict[str, int]) -> dict[str, int]:
    """Every test here imports for the enrolled companies of storage/conftest.py."""
    return companies


def export(*lines: str) -> bytes:
    return "\n".join((HEADER, *lines)).encode()


def run(engine: Engine, campaigns: dict[str, Campaign], data: bytes, now: datetime,
        filename: str = "export.csv") -> PortalReport:
    with UnitOfWork(engine) as uow:
        return import_portal_export(uow, campaigns=campaigns, data=data, filename=filename,
                                    actor="operator", now=now)


def tally(report: PortalReport, number: str = INSTALLER) -> dict[str, int]:
    return next(c.counts for c in report.companies if c.customer_number == number)


def test_transferred_devices_are_registered_through_the_rules_with_channel_portal(
        engine: Engine, campaigns: dict[str, Campaign], masterdata: KnownSerials,
        now: datetime) -> None:
    report = run(engine, campaigns, export(line(masterdata.stp_se),
                                           line(masterdata.sampled)), now)

    assert tally(report) == {"pending_payment": 1, "info_required": 1}
    assert report.totals["transferred"] == 2
    stored = {r.serial: r for r in rows(engine, Registration)}
    assert stored[masterdata.stp_se].channel == Channel.PORTAL.value
    assert stored[masterdata.stp_se].status == Status.PENDING_PAYMENT.value
    assert str(stored[masterdata.stp_se].installed_on) == "2026-06-05"
    assert {e.channel for e in rows(engine, StatusEvent)} == {"portal"}
    notices = rows(engine, OutboxMessage)
    assert sorted(n.kind for n in notices) == ["chat", "email"]  # one digest, both channels


def test_devices_added_before_the_number_was_entered_are_not_transferred(
        engine: Engine, campaigns: dict[str, Campaign], masterdata: KnownSerials,
        now: datetime) -> None:
    report = run(engine, campaigns, export(line(masterdata.stp_se, added="2026-06-09"),
                                           line(masterdata.shm, "SHM", added="2026-06-11")), now)

    assert tally(report) == {"not_retroactive": 1, "pending_payment": 1}
    assert [r.serial for r in rows(engine, Registration)] == [masterdata.shm]


def test_reimporting_the_same_export_changes_nothing_and_says_when_it_was_first_processed(
        engine: Engine, campaigns: dict[str, Campaign], masterdata: KnownSerials,
        now: datetime) -> None:
    data = export(line(masterdata.stp_se), line(masterdata.shs_module, "SHS-MODULE"),
                  line(masterdata.shm, "SHM", number="C-1000"))
    first = run(engine, campaigns, data, now)
    before = count_rows(engine)

    again = run(engine, campaigns, data, now + timedelta(days=1), filename="copy.csv")

    assert count_rows(engine) == before
    assert again.duplicate
    assert again.first_processed_at == now
    assert again.import_id == first.import_id
    assert again.companies == first.companies
    assert again.totals == first.totals
    assert [p.customer_number for p in again.problems] == ["C-1000"]


def test_a_later_export_repeating_the_same_devices_registers_and_tells_nothing_twice(
        engine: Engine, campaigns: dict[str, Campaign], masterdata: KnownSerials,
        now: datetime) -> None:
    run(engine, campaigns, export(line(masterdata.stp_se),
                                  line(masterdata.shs_module, "SHS-MODULE")), now)
    before = count_rows(engine)

    later = run(engine, campaigns, export(line(masterdata.stp_se),
                                          line(masterdata.shs_module, "SHS-MODULE"),
                                          line(masterdata.shm, "SHM")), now + timedelta(days=1))

    assert tally(later) == {"already_handled": 2, "pending_payment": 1}
    after = count_rows(engine)
    assert after["registration"] == before["registration"] + 1
    assert after["outbox_message"] == before["outbox_message"] + 2  # only the new device's


def test_a_serial_the_company_registered_in_chat_is_not_an_error(
        engine: Engine, campaigns: dict[str, Campaign], fr_campaign: Campaign,
        masterdata: KnownSerials, now: datetime) -> None:
    with UnitOfWork(engine) as uow:
        register(uow, campaign=fr_campaign, customer_number=INSTALLER,
                 claim=ClaimInput(masterdata.stp_se, "STP-SE", now.date()),
                 channel=Channel.CHAT, actor="chat:1", now=now)

    report = run(engine, campaigns, export(line(masterdata.stp_se)), now + timedelta(hours=1))

    assert tally(report) == {"already_registered": 1}
    assert report.problems == ()
    [registration] = rows(engine, Registration)
    assert registration.channel == "chat"
    assert count_rows(engine)["rejected_claim"] == 0


def test_a_serial_another_company_registered_is_refused_and_kept_for_the_operator(
        engine: Engine, campaigns: dict[str, Campaign], fr_campaign: Campaign,
        masterdata: KnownSerials, now: datetime) -> None:
    with UnitOfWork(engine) as uow:
        register(uow, campaign=fr_campaign, customer_number=COMPETITOR,
                 claim=ClaimInput(masterdata.stp_se, "STP-SE", now.date()),
                 channel=Channel.CHAT, actor="chat:1", now=now)

    report = run(engine, campaigns, export(line(masterdata.stp_se)), now)

    assert tally(report) == {"ineligible": 1}
    assert count_rows(engine)["rejected_claim"] == 1


def test_manual_only_devices_are_not_registered_and_the_company_is_told_once(
        engine: Engine, campaigns: dict[str, Campaign], masterdata: KnownSerials,
        companies: dict[str, int], now: datetime) -> None:
    report = run(engine, campaigns, export(
        line(masterdata.shs_module, "SHS-MODULE"), line("3999999999", "EVC-BUSINESS"),
        line("3999999998", "SHS-MODULE", number=ITALIAN)), now)

    assert tally(report) == {"manual_only": 2}
    assert tally(report, ITALIAN) == {"manual_only": 1}
    assert rows(engine, Registration) == []
    notices = rows(engine, OutboxMessage, OutboxMessage.topic == MANUAL_ONLY_TOPIC,
                   OutboxMessage.company_id == companies[INSTALLER])
    assert sorted(n.kind for n in notices) == ["chat", "email"]
    payload = json.loads(notices[0].payload)
    assert payload["import_id"] == report.import_id
    assert [d["serial"] for d in payload["devices"]] == [masterdata.shs_module, "3999999999"]


def test_the_button_registers_the_manual_only_devices_with_the_portal_data(
        engine: Engine, campaigns: dict[str, Campaign], fr_campaign: Campaign,
        masterdata: KnownSerials, now: datetime) -> None:
    report = run(engine, campaigns, export(line(masterdata.shs_module, "SHS-MODULE")), now)

    with UnitOfWork(engine) as uow:
        outcomes = register_manual_devices(uow, campaign=fr_campaign, customer_number=INSTALLER,
                                           import_id=report.import_id, actor="chat:1",
                                           now=now + timedelta(hours=1))

    assert [o.verdict.status if o.verdict else None for o in outcomes] == [
        Status.PENDING_PAYMENT]
    [registration] = rows(engine, Registration)
    assert (registration.channel, registration.product_code, str(registration.installed_on)) == (
        "chat", "SHS-MODULE", "2026-06-05")
    with UnitOfWork(engine) as uow, pytest.raises(NothingToRegister):
        register_manual_devices(uow, campaign=fr_campaign, customer_number=COMPETITOR,
                                import_id=report.import_id, actor="chat:2", now=now)


def test_unknown_and_mistyped_customer_numbers_are_reported_and_nothing_is_transferred(
        engine: Engine, campaigns: dict[str, Campaign], masterdata: KnownSerials,
        now: datetime) -> None:
    report = run(engine, campaigns, export(line(masterdata.stp_se, number="C-1000"),
                                           line(masterdata.shm, "SHM", number="X-999")), now)

    assert rows(engine, Registration) == []
    assert [(p.handling, p.customer_number, p.detail) for p in report.problems] == [
        ("mistyped_customer_number", "C-1000", INSTALLER),
        ("unknown_customer_number", "X-999", None)]
    assert len(rows(engine, PortalProblem)) == 2
    assert report.companies == ()


def test_a_broken_row_is_reported_and_does_not_stop_the_others(
        engine: Engine, campaigns: dict[str, Campaign], masterdata: KnownSerials,
        now: datetime) -> None:
    report = run(engine, campaigns, export(line(masterdata.stp_se),
                                           line(masterdata.shm, "SHM", added="tomorrow"),
                                           line(masterdata.sampled)), now)

    assert tally(report) == {"pending_payment": 1, "info_required": 1}
    [problem] = report.problems
    assert (problem.row_number, problem.handling, problem.detail, problem.serial) == (
        3, "broken", "added_date_invalid", masterdata.shm)


def test_a_file_that_is_not_an_export_changes_nothing(
        engine: Engine, campaigns: dict[str, Campaign], companies: dict[str, int],
        now: datetime) -> None:
    before = count_rows(engine)

    with pytest.raises(PortalExportError):
        run(engine, campaigns, b"{not json", now, filename="export.json")

    assert count_rows(engine) == before
