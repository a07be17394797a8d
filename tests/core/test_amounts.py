"""Amounts per status: what is paid, owed and awaiting proof always adds up."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.amounts import StatusTotal, amount_for, summarise
from core.statuses import Status


def test_summary_gives_count_and_amount_per_status() -> None:
    summary = summarise([
        (Status.PAID, 2, Decimal("200.00")),
        (Status.PENDING_PAYMENT, 1, Decimal("30.00")),
        (Status.INFO_REQUIRED, 1, Decimal("50.00")),
        (Status.UNDER_REVIEW, 3, Decimal("150.00")),
        (Status.INELIGIBLE, 4, Decimal("400.00")),
    ])

    assert summary.total(Status.PAID) == StatusTotal(2, Decimal("200.00"))
    assert summary.paid == Decimal("200.00")
    assert summary.pending == Decimal("30.00")
    assert summary.awaiting_proof == Decimal("200.00")
    assert summary.total(Status.INELIGIBLE) == StatusTotal(4, Decimal(0))
    assert summary.count == 11


def test_rows_of_the_same_status_are_added() -> None:
    summary = summarise([(Status.PAID, 1, Decimal("100")), (Status.PAID, 2, Decimal("60"))])

    assert summary.total(Status.PAID) == StatusTotal(3, Decimal("160"))


def test_status_without_registrations_totals_zero() -> None:
    summary = summarise([])

    assert summary.total(Status.PAID) == StatusTotal(0, Decimal(0))
    assert summary.paid == summary.pending == summary.awaiting_proof == Decimal(0)
    assert summary.count == 0


def test_ineligible_registration_carries_no_cashback() -> None:
    assert amount_for(Status.INELIGIBLE, Decimal("100.00")) == 0
    for status in set(Status) - {Status.INELIGIBLE}:
        assert amount_for(status, Decimal("100.00")) == Decimal("100.00")


_ROWS = st.lists(st.tuples(
    st.sampled_from(Status),
    st.integers(0, 10_000),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
))


@given(_ROWS)
def test_amounts_always_add_up(rows: list[tuple[Status, int, Decimal]]) -> None:
    counts: dict[Status, int] = defaultdict(int)
    amounts: dict[Status, Decimal] = defaultdict(Decimal)
    for status, count, amount in rows:
        counts[status] += count
        amounts[status] += amount

    summary = summarise(rows)

    for status in Status:
        expected = Decimal(0) if status is Status.INELIGIBLE else amounts[status]
        assert summary.total(status) == StatusTotal(counts[status], expected)
    eligible = sum((amounts[s] for s in Status if s is not Status.INELIGIBLE), Decimal(0))
    assert summary.paid + summary.pending + summary.awaiting_proof == eligible
    assert summary.count == sum(counts.values())
