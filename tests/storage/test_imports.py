"""Importing a bulk template: rows judged like single registrations, files applied once."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine
from storage_support import INSTALLER, KnownSerials, count_rows, register_serial, rows

import storage.services.imports as imports
from core.campaign import Campaign
from core.eligibility import IneligibilityReason
from core.statuses import Channel, Status
from core.template import Mark, RowProblem, TemplateError, TemplateErrorCode
from storage.outbox import changes_in
from storage.services.imports import CompanyCannotImport, ImportReport, import_template
from storage.tables import ImportBatch, OutboxMessage, Registration
from storage.uow import UnitOfWork


def upload(engine: Engine, campaign: Campaign, data: bytes, now: datetime,
           customer_number: str = INSTALLER, filename: str = "devices.csv") -> ImportReport:
    with UnitOfWork(engine) as uow:
        return import_template(uow, campaign=campaign, customer_number=customer_number,
                               data=data, filename=filename, channel=Channel.TEMPLATE,
                               actor="chat:test", now=now)


def csv_file(*lines: str) -> bytes:
    text = "Numéro de série;Produit;Date d'installation\r\n" + "\r\n".join(lines) + "\r\n"
    return text.encode("cp1252")


@pytest.fixture
def file(masterdata: KnownSerials) -> bytes:
    return csv_file(f"{masterdata.stp_se};Sunny Tripower Smart Energy;01/06/2026",
                    f"{masterdata.shm};SHM;2026-06-02",
                    f"{masterdata.shm};SHM;2026-06-02",
                    f"{masterdata.sampled};STP-SE;02.06.2026",
                    "9999999999;STP-SE;01/06/2026",
                    f"{masterdata.stp_se[:-1]};STP-SE;01/06/2026",
                    ";STP-SE;01/06/2026")


def test_every_row_gets_its_result_and_valid_rows_are_registered(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], file: bytes,
        masterdata: KnownSerials, now: datetime) -> None:
    report = upload(engine, fr_campaign, file, now)

    by_row = {r.row_number: r for r in report.results}
    assert by_row[2].mark is Mark.ACCEPTED
    assert by_row[3].mark is Mark.ACCEPTED
    assert by_row[4].outcome is RowProblem.DUPLICATE_IN_FILE
    assert by_row[5].mark is Mark.PROOF
    assert getattr(by_row[6].outcome, "reason", None) is IneligibilityReason.SERIAL_UNKNOWN
    assert getattr(by_row[7].outcome, "suggestions", ()) == (masterdata.stp_se,)
    assert by_row[8].outcome is RowProblem.MISSING_SERIAL
    assert report.counts == {"accepted": 2, "rejected": 4, "proof": 1}
    assert report.amount == 230
    stored = rows(engine, Registration)
    assert sorted(r.serial for r in stored) == sorted(
        [masterdata.stp_se, masterdata.shm, masterdata.sampled])
    assert {r.channel for r in stored} == {Channel.TEMPLATE.value}


def test_one_digest_notice_per_file_not_one_per_row(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], file: bytes,
        now: datetime) -> None:
    upload(engine, fr_campaign, file, now)

    notices = rows(engine, OutboxMessage)
    assert sorted(n.kind for n in notices) == ["chat", "email"]
    assert len(changes_in(notices[0].payload)) == 3


def test_the_same_file_twice_registers_nothing_twice_and_says_when_it_was_first_seen(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], file: bytes,
        now: datetime) -> None:
    first = upload(engine, fr_campaign, file, now)
    before = count_rows(engine)

    again = upload(engine, fr_campaign, file, now.replace(hour=18))

    assert again.duplicate
    assert again.first_processed_at == now
    assert again.counts == first.counts
    assert count_rows(engine) == before


def test_two_copies_racing_are_applied_once(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], file: bytes,
        now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    upload(engine, fr_campaign, file, now)
    before = count_rows(engine)
    real = imports._earlier
    calls = 0

    def blind(*args: object) -> ImportReport | None:
        # The copy does not see the winner until its own insert hits the unique constraint.
        nonlocal calls
        calls += 1
        return None if calls <= 2 else real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "_earlier", blind)

    again = upload(engine, fr_campaign, file, now)

    assert calls == 3
    assert again.duplicate
    assert count_rows(engine) == before


def test_a_device_the_company_registered_before_is_reported_unchanged(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int],
        masterdata: KnownSerials, now: datetime) -> None:
    register_serial(engine, fr_campaign, masterdata.stp_se, now)

    report = upload(engine, fr_campaign,
                    csv_file(f"{masterdata.stp_se};STP-SE;01/06/2026"), now)

    assert report.results[0].mark is Mark.UNCHANGED
    assert getattr(report.results[0].outcome, "reason", None) \
        is IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY


def test_a_broken_file_is_refused_and_changes_nothing(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], now: datetime) -> None:
    before = count_rows(engine)

    with pytest.raises(TemplateError) as refused:
        upload(engine, fr_campaign, b"PK\x03\x04 not really a workbook", now, filename="x.xlsx")

    assert refused.value.code is TemplateErrorCode.CORRUPT
    assert count_rows(engine) == before


def test_a_company_of_another_campaign_cannot_import(
        engine: Engine, it_campaign: Campaign, companies: dict[str, int], file: bytes,
        now: datetime) -> None:
    with pytest.raises(CompanyCannotImport):
        upload(engine, it_campaign, file, now)
    assert rows(engine, ImportBatch) == []


def test_a_crash_during_the_import_leaves_nothing_behind(
        engine: Engine, fr_campaign: Campaign, companies: dict[str, int], file: bytes,
        now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    before = count_rows(engine)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(imports, "ImportBatch", crash)
    with pytest.raises(RuntimeError):
        upload(engine, fr_campaign, file, now)

    assert count_rows(engine) == before
    assert not [r for r in rows(engine, Registration) if r.status == Status.PENDING_PAYMENT]
