"""Information requests: what is asked, by when, and when to remind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache

from core.campaign import Campaign


class DocumentKind(StrEnum):
    """Proof an information request can ask for (flyers: invoice, commissioning protocol)."""

    INVOICE = "invoice"
    COMMISSIONING_PROTOCOL = "commissioning_protocol"
    INSTALLATION_PHOTO = "installation_photo"


class RequestState(StrEnum):
    """Life of an information request."""

    OPEN = "open"
    FULFILLED = "fulfilled"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class RequestTerms:
    """When an information request opened, its last valid day and its reminder days."""

    opened_on: date
    due_on: date
    reminder_days: tuple[date, ...]


def local_day(moment: datetime, campaign: Campaign) -> date:
    """The calendar day in the campaign's country at ``moment`` (which must be aware)."""
    if moment.tzinfo is None:
        raise ValueError("moment must carry a time zone")
    return _day_in(moment, campaign.timezone)


@lru_cache(maxsize=256)
def _day_in(moment: datetime, zone: tzinfo) -> date:
    # A bulk import asks for the same moment's day once or twice per row.
    return moment.astimezone(zone).date()


def request_terms(now: datetime, campaign: Campaign, days: int | None = None) -> RequestTerms:
    """Terms of a request opened at ``now``: documents are due within the deadline.

    A request opened on day 0 may be answered until the end of day 0 + deadline (14 days by
    default) in the campaign's time zone; it expires on the day after.
    """
    opened = local_day(now, campaign)
    due = opened + timedelta(days=days if days is not None else campaign.document_deadline_days)
    return terms_between(opened, due, campaign)


def terms_between(opened_on: date, due_on: date, campaign: Campaign) -> RequestTerms:
    """Terms of a request already open: reminders fall after the opening day only."""
    reminders = tuple(
        due_on - timedelta(days=before)
        for before in campaign.reminder_days_before
        if due_on - timedelta(days=before) > opened_on
    )
    return RequestTerms(opened_on=opened_on, due_on=due_on, reminder_days=reminders)


def is_overdue(due_on: date, now: datetime, campaign: Campaign) -> bool:
    """Whether the deadline has passed: true from the day after the due day."""
    return local_day(now, campaign) > due_on


def days_left(due_on: date, now: datetime, campaign: Campaign) -> int:
    """Whole days left including today; 0 once overdue."""
    return max(0, (due_on - local_day(now, campaign)).days + 1)


def reminder_due(terms: RequestTerms, now: datetime, campaign: Campaign,
                 already_sent: frozenset[date]) -> date | None:
    """The reminder day to act on now, if one has come and was not yet sent.

    Only the latest reminder day that has come counts, so a job that was down for a week sends
    one reminder, not a burst.
    """
    today = local_day(now, campaign)
    if today > terms.due_on:
        return None
    come = [day for day in terms.reminder_days if day <= today]
    if not come:
        return None
    latest = max(come)
    return None if latest in already_sent else latest
