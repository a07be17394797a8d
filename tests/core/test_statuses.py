"""The status diagram: every allowed change works, every other one is refused."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.statuses import (
    ALLOWED_TRANSITIONS,
    FINAL_STATUSES,
    OPEN_STATUSES,
    IllegalTransition,
    Status,
    can_transition,
    transition,
)

NEW = None
PENDING, INFO, REVIEW, PAID, INELIGIBLE = (
    Status.PENDING_PAYMENT, Status.INFO_REQUIRED, Status.UNDER_REVIEW, Status.PAID,
    Status.INELIGIBLE,
)

# SPEC "Statuses", written out again here so that the code is checked against the diagram.
DIAGRAM: set[tuple[Status | None, Status]] = {
    (NEW, PENDING), (NEW, INFO), (NEW, INELIGIBLE),
    (PENDING, PAID),
    (INFO, REVIEW), (INFO, INELIGIBLE),
    (REVIEW, PENDING), (REVIEW, INFO), (REVIEW, INELIGIBLE),
}
ALL_PAIRS = list(product([NEW, *Status], Status))
FORBIDDEN = [pair for pair in ALL_PAIRS if pair not in DIAGRAM]


def _reachable() -> set[Status]:
    seen: set[Status] = set()
    frontier: list[Status | None] = [NEW]
    while frontier:
        current = frontier.pop()
        for origin, target in DIAGRAM:
            if origin == current and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def _name(pair: object) -> str:
    assert isinstance(pair, tuple)
    return f"{pair[0] or 'new'}->{pair[1]}"


def test_allowed_transitions_are_exactly_the_diagram() -> None:
    coded = {(origin, target) for origin, targets in ALLOWED_TRANSITIONS.items()
             for target in targets}

    assert coded == DIAGRAM
    assert set(ALLOWED_TRANSITIONS) == {NEW, *Status}


@pytest.mark.parametrize("pair", sorted(DIAGRAM, key=_name), ids=_name)
def test_change_in_the_diagram_is_allowed(pair: tuple[Status | None, Status]) -> None:
    current, target = pair

    assert can_transition(current, target)
    assert transition(current, target) is target


@pytest.mark.parametrize("pair", FORBIDDEN, ids=_name)
def test_change_outside_the_diagram_is_refused(pair: tuple[Status | None, Status]) -> None:
    current, target = pair

    assert not can_transition(current, target)
    with pytest.raises(IllegalTransition) as caught:
        transition(current, target)
    assert (caught.value.current, caught.value.target) == (current, target)
    assert str(caught.value) == f"illegal status change {current or 'new claim'} -> {target}"


def test_every_pair_is_either_allowed_or_refused() -> None:
    assert len(ALL_PAIRS) == 6 * 5
    assert len(DIAGRAM) + len(FORBIDDEN) == len(ALL_PAIRS)


def test_paid_and_ineligible_are_final() -> None:
    assert {PAID, INELIGIBLE} == FINAL_STATUSES
    for final, target in product(FINAL_STATUSES, Status):
        assert not can_transition(final, target)


def test_open_statuses_are_those_whose_cashback_may_still_be_owed() -> None:
    assert {PENDING, INFO, REVIEW} == OPEN_STATUSES
    assert not OPEN_STATUSES & FINAL_STATUSES
    assert OPEN_STATUSES | FINAL_STATUSES == set(Status)


def test_a_new_claim_cannot_start_under_review_or_paid() -> None:
    for target in (REVIEW, PAID):
        with pytest.raises(IllegalTransition, match="new claim"):
            transition(None, target)


@given(st.lists(st.sampled_from(Status), max_size=40))
def test_no_sequence_of_attempts_leaves_the_diagram(targets: list[Status]) -> None:
    reachable = _reachable()
    status: Status | None = None
    for target in targets:
        before = status
        if can_transition(status, target):
            status = transition(status, target)
        else:
            with pytest.raises(IllegalTransition):
                transition(status, target)
        assert status is None or status in reachable  # None: nothing accepted yet
        assert status is before or (before, status) in DIAGRAM
        if before in FINAL_STATUSES:
            assert status is before
