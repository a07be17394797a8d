"""The clock's jobs: a request not answered in 14 days expires; reminders come 7 and 2 days
before, once each, whenever the job happens to run."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from storage_support import PARIS, Lifecycle, count_rows, registration, rows

from core.campaign import Campaign
from core.statuses import Status
from storage.outbox import changes_in
from storage.services.deadlines import expire_overdue, send_reminders
from storage.tables import InformationRequest, OutboxMessage, StatusEvent
from storage.uow import UnitOfWork

# Requests opened on 15 June (the ``now`` fixture) are due on 29 June.
DUE = date(2026, 6, 29)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in June 2026, Paris time."""
    return datetime(2026, 6, day, hour, minute, tzinfo=PARIS)


def _expire(engine: Engine, campaigns: dict[str, Campaign], now: datetime) -> int:
    with UnitOfWork(engine) as uow:
        return expire_overdue(uow, campaigns=campaigns, now=now)


def _remind(engine: Engine, campaigns: dict[str, Campaign], now: datetime) -> int:
    with UnitOfWork(engine) as uow:
        return send_reminders(uow, campaigns=campaigns, now=now)


def _reminder_notices(engine: Engine) -> list[OutboxMessage]:
    return rows(engine, OutboxMessage, OutboxMessage.topic == "reminder")


def test_request_is_not_expired_on_its_fourteenth_day(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle) -> None:
    serial = lifecycle.info_required()
    assert rows(engine, InformationRequest)[0].due_on == DUE
    before = count_rows(engine)

    expired = _expire(engine, campaigns, at(29, 23, 59))

    assert expired == 0
    assert count_rows(engine) == before
    assert registration(engine, serial).status == Status.INFO_REQUIRED.value


def test_request_unanswered_on_the_fifteenth_day_makes_the_registration_ineligible(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle,
        company_id: int) -> None:
    serial = lifecycle.info_required()
    before = count_rows(engine)

    expired = _expire(engine, campaigns, at(30, 0, 1))

    assert expired == 1
    found = registration(engine, serial)
    assert (found.status, found.reason) == ("ineligible", "documents_not_received")
    [request] = rows(engine, InformationRequest)
    assert (request.state, request.closed_at) == ("expired", at(30, 0, 1))
    event = rows(engine, StatusEvent)[-1]
    assert (event.from_status, event.to_status, event.reason, event.actor, event.channel) == (
        "info_required", "ineligible", "documents_not_received", "system:deadline", "system")
    notices = rows(engine, OutboxMessage)[before["outbox_message"]:]
    assert sorted(n.kind for n in notices) == ["chat", "email"]
    [change] = changes_in(notices[0].payload)
    assert (change.serial, change.reason) == (serial, "documents_not_received")


def test_the_deadline_is_judged_in_the_campaigns_time_zone_whatever_the_clocks_zone(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle) -> None:
    serial = lifecycle.info_required()

    # 21:30 UTC on the 29th is still the 29th in Paris; 22:30 UTC is already the 30th.
    assert _expire(engine, campaigns, datetime(2026, 6, 29, 21, 30, tzinfo=UTC)) == 0
    assert _expire(engine, campaigns, datetime(2026, 6, 29, 22, 30, tzinfo=UTC)) == 1

    assert registration(engine, serial).status == Status.INELIGIBLE.value


def test_expiring_twice_has_no_second_effect(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle) -> None:
    lifecycle.info_required()
    assert _expire(engine, campaigns, at(30)) == 1
    after_first = count_rows(engine)

    assert _expire(engine, campaigns, at(30, 10)) == 0

    assert count_rows(engine) == after_first


def test_requests_expiring_together_make_one_notice_per_company(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle) -> None:
    serials = [lifecycle.info_required() for _ in range(3)]
    before = count_rows(engine)

    assert _expire(engine, campaigns, at(30)) == 3

    notices = rows(engine, OutboxMessage)[before["outbox_message"]:]
    assert len(notices) == 2
    assert sorted(c.serial for c in changes_in(notices[0].payload)) == sorted(serials)


def test_answered_request_never_expires(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle) -> None:
    serial = lifecycle.under_review()
    before = count_rows(engine)

    assert _expire(engine, campaigns, at(30)) == 0

    assert count_rows(engine) == before
    assert registration(engine, serial).status == Status.UNDER_REVIEW.value


def test_reminders_come_seven_and_two_days_before_the_deadline_once_each(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle) -> None:
    lifecycle.info_required()
    [request] = rows(engine, InformationRequest)

    sent = [_remind(engine, campaigns, at(day, hour))
            for day, hour in [(21, 9), (22, 8), (22, 18), (26, 9), (27, 8), (27, 20), (28, 9),
                              (29, 9)]]

    assert sent == [0, 1, 0, 0, 1, 0, 0, 0]
    [request] = rows(engine, InformationRequest)
    assert request.reminders_sent == "2026-06-22,2026-06-27"
    notices = _reminder_notices(engine)
    assert sorted(n.kind for n in notices) == ["chat", "chat", "email", "email"]
    [change] = changes_in(notices[0].payload)
    assert (change.due_on, change.reference) == (date(2026, 6, 29), request.reference)


def test_a_reminder_job_that_was_down_sends_only_one_late_reminder(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle) -> None:
    lifecycle.info_required()

    assert _remind(engine, campaigns, at(28)) == 1
    assert _remind(engine, campaigns, at(28, 15)) == 0

    [request] = rows(engine, InformationRequest)
    assert request.reminders_sent == "2026-06-27"
    assert len(_reminder_notices(engine)) == 2


def test_no_reminder_for_an_answered_or_expired_request(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle) -> None:
    lifecycle.under_review()
    lifecycle.info_required()
    _expire(engine, campaigns, at(30))
    before = count_rows(engine)

    assert _remind(engine, campaigns, at(30)) == 0
    assert count_rows(engine) == before


def test_reminders_for_several_requests_come_as_one_notice(
        engine: Engine, campaigns: dict[str, Campaign], lifecycle: Lifecycle) -> None:
    for _ in range(4):
        lifecycle.info_required()

    assert _remind(engine, campaigns, at(22)) == 4

    notices = _reminder_notices(engine)
    assert len(notices) == 2
    assert len(changes_in(notices[0].payload)) == 4
