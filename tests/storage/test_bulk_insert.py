"""Rows inserted straight to the driver read back exactly as rows the ORM wrote."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import Engine
from sqlmodel import col, select

from storage.bulk import insert_rows, insert_rows_returning_ids
from storage.tables import Company, Device, Registration, StatusEvent
from storage.uow import UnitOfWork

NOW = datetime(2026, 6, 1, 9, 30, 15, 123456, tzinfo=UTC)
PARIS_SUMMER = timezone(timedelta(hours=2))


def a_company(engine: Engine) -> int:
    with UnitOfWork(engine) as uow:
        company = Company(customer_number="C-1", name="Installer", campaign_code="fr-2026",
                          language="fr", created_at=NOW)
        uow.session.add(company)
        uow.commit()
        assert company.id is not None
        return company.id


def registration(serial: str, company_id: int, at: datetime = NOW) -> dict[str, object]:
    return {"campaign_code": "fr-2026", "serial": serial, "company_id": company_id,
            "product_code": "STP-SE", "installed_on": date(2026, 3, 1), "registered_at": at,
            "channel": "template", "status": "pending_payment", "amount_cents": 10000,
            "updated_at": at}


def test_inserted_rows_read_back_like_orm_rows_dates_times_and_nulls(engine: Engine) -> None:
    company_id = a_company(engine)
    with UnitOfWork(engine) as uow:
        uow.session.add(Registration(**registration("3000000001", company_id)))  # type: ignore[arg-type]
        uow.session.flush()
        new = insert_rows_returning_ids(uow.session, Registration, [
            registration("3000000002", company_id),
            registration("3000000003", company_id, NOW.astimezone(PARIS_SUMMER))])
        ids = dict(zip(("3000000002", "3000000003"), new, strict=True))
        insert_rows(uow.session, StatusEvent, [
            {"registration_id": ids["3000000002"], "at": NOW, "actor": "a", "channel": "chat",
             "from_status": None, "to_status": "pending_payment", "reason": None},
            {"registration_id": ids["3000000003"], "at": NOW, "actor": "a", "channel": "chat",
             "from_status": None, "to_status": "info_required", "reason": "audit_sample"}])
        uow.commit()
    with UnitOfWork(engine) as uow:
        rows = {r.serial: r for r in uow.session.exec(select(Registration)).all()}
        events = uow.session.exec(select(StatusEvent).order_by(col(StatusEvent.id))).all()
    assert set(rows) == {"3000000001", "3000000002", "3000000003"}
    for serial in rows:
        assert rows[serial].registered_at == NOW
        assert rows[serial].registered_at.utcoffset() == timedelta(0)
        assert rows[serial].installed_on == date(2026, 3, 1)
    assert {serial: rows[serial].id for serial in ("3000000002", "3000000003")} == ids
    assert [(e.registration_id, e.at, e.from_status, e.reason) for e in events] == [
        (ids["3000000002"], NOW, None, None), (ids["3000000003"], NOW, None, "audit_sample")]


def test_ids_follow_rows_already_there_and_the_table_accepts_orm_rows_after(
        engine: Engine) -> None:
    company_id = a_company(engine)
    with UnitOfWork(engine) as uow:
        first = insert_rows_returning_ids(
            uow.session, Registration,
            [registration(f"30000001{n:02d}", company_id) for n in range(50)])
        uow.commit()
    with UnitOfWork(engine) as uow:
        later = Registration(**registration("3000000999", company_id))  # type: ignore[arg-type]
        uow.session.add(later)
        uow.session.flush()
        assert later.id is not None
        assert later.id not in first
        uow.commit()
    assert len(set(first)) == 50


def test_nothing_to_insert_is_no_statement(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        insert_rows(uow.session, Device, [])
        assert insert_rows_returning_ids(uow.session, Device, []) == []
