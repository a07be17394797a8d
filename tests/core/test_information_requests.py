"""Information requests: 14 days to answer, reminders before the deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.campaign import Campaign
from core.information_requests import (
    RequestTerms,
    days_left,
    is_overdue,
    reminder_due,
    request_terms,
)

PARIS = ZoneInfo("Europe/Paris")
DAY_0 = date(2026, 6, 1)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment, Paris time, ``day`` days after the request was opened."""
    return datetime.combine(DAY_0 + timedelta(days=day), time(hour, minute), PARIS)


@pytest.fixture
def terms(fr_campaign: Campaign) -> RequestTerms:
    return request_terms(at(0, 10), fr_campaign)


def test_request_opened_on_day_0_is_due_on_day_14(terms: RequestTerms) -> None:
    assert terms.opened_on == DAY_0
    assert terms.due_on == date(2026, 6, 15)


def test_request_opened_late_at_night_counts_from_the_campaigns_day(
    fr_campaign: Campaign,
) -> None:
    # 22:30 UTC on 31 May is 00:30 on 1 June in Paris.
    terms = request_terms(datetime(2026, 5, 31, 22, 30, tzinfo=UTC), fr_campaign)

    assert (terms.opened_on, terms.due_on) == (DAY_0, date(2026, 6, 15))


def test_request_with_its_own_deadline(fr_campaign: Campaign) -> None:
    assert request_terms(at(0), fr_campaign, days=30).due_on == date(2026, 7, 1)


def test_reminders_are_7_and_2_days_before_the_deadline(terms: RequestTerms) -> None:
    assert terms.reminder_days == (date(2026, 6, 8), date(2026, 6, 13))


def test_reminders_that_would_fall_on_or_before_the_opening_day_are_dropped(
    fr_campaign: Campaign,
) -> None:
    assert request_terms(at(0), fr_campaign, days=5).reminder_days == (date(2026, 6, 4),)
    assert request_terms(at(0), fr_campaign, days=2).reminder_days == ()


@pytest.mark.parametrize(
    ("moment", "overdue"),
    [
        (at(0), False),
        (at(14, 0, 0), False),
        (at(14, 23, 59), False),
        (at(15, 0, 0), True),
        (at(40), True),
    ],
)
def test_request_is_overdue_from_the_day_after_the_due_day(
    terms: RequestTerms, fr_campaign: Campaign, moment: datetime, overdue: bool
) -> None:
    assert is_overdue(terms.due_on, moment, fr_campaign) is overdue


def test_overdue_is_decided_in_the_campaigns_time_zone(
    terms: RequestTerms, fr_campaign: Campaign
) -> None:
    # 22:30 UTC on day 14 is already day 15 in Paris.
    moment = datetime(2026, 6, 15, 22, 30, tzinfo=UTC)

    assert is_overdue(terms.due_on, moment, fr_campaign)


@pytest.mark.parametrize(("day", "left"), [(0, 15), (7, 8), (13, 2), (14, 1), (15, 0), (30, 0)])
def test_days_left_count_today_and_stop_at_zero(
    terms: RequestTerms, fr_campaign: Campaign, day: int, left: int
) -> None:
    assert days_left(terms.due_on, at(day), fr_campaign) == left


FIRST, SECOND = date(2026, 6, 8), date(2026, 6, 13)


@pytest.mark.parametrize(
    ("day", "sent", "due"),
    [
        (0, set(), None),
        (6, set(), None),
        (7, set(), FIRST),
        (7, {FIRST}, None),
        (11, set(), FIRST),
        (12, set(), SECOND),
        (12, {FIRST}, SECOND),
        (13, set(), SECOND),  # only the latest: no burst after an outage
        (12, {SECOND}, None),  # the earlier one is not sent late
        (14, {FIRST}, SECOND),
        (15, set(), None),  # overdue: no reminder any more
    ],
)
def test_reminder_due_is_the_latest_reminder_day_not_yet_sent(
    terms: RequestTerms, fr_campaign: Campaign, day: int, sent: set[date], due: date | None
) -> None:
    assert reminder_due(terms, at(day), fr_campaign, frozenset(sent)) == due


def test_moment_without_time_zone_is_refused(terms: RequestTerms, fr_campaign: Campaign) -> None:
    with pytest.raises(ValueError, match="time zone"):
        is_overdue(terms.due_on, datetime(2026, 6, 16, 12), fr_campaign)
