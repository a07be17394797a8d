"""The registration status state machine, the one place that says which change is legal."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A registration's status; the words users read live in the catalogs."""

    PENDING_PAYMENT = "pending_payment"
    INFO_REQUIRED = "info_required"
    UNDER_REVIEW = "under_review"
    PAID = "paid"
    INELIGIBLE = "ineligible"


class Channel(StrEnum):
    """Where a claim or an action came from, recorded on every status event."""

    CHAT = "chat"
    EMAIL = "email"
    TEMPLATE = "template"
    PORTAL = "portal"
    OPERATOR = "operator"
    SYSTEM = "system"


class IllegalTransition(ValueError):
    """Raised when a change would leave the campaign's status diagram."""

    def __init__(self, current: Status | None, target: Status) -> None:
        self.current = current
        self.target = target
        origin = current.value if current else "new claim"
        super().__init__(f"illegal status change {origin} -> {target.value}")


# SPEC "Statuses": new claim -> pending_payment | info_required | ineligible; info_required ->
# under_review (documents) | ineligible (deadline); under_review -> operator's decision.
ALLOWED_TRANSITIONS: dict[Status | None, frozenset[Status]] = {
    None: frozenset({Status.PENDING_PAYMENT, Status.INFO_REQUIRED, Status.INELIGIBLE}),
    Status.PENDING_PAYMENT: frozenset({Status.PAID}),
    Status.INFO_REQUIRED: frozenset({Status.UNDER_REVIEW, Status.INELIGIBLE}),
    Status.UNDER_REVIEW: frozenset(
        {Status.PENDING_PAYMENT, Status.INFO_REQUIRED, Status.INELIGIBLE}
    ),
    Status.PAID: frozenset(),
    Status.INELIGIBLE: frozenset(),
}

FINAL_STATUSES = frozenset({Status.PAID, Status.INELIGIBLE})
# Statuses whose cashback is still owed or may become owed.
OPEN_STATUSES = frozenset({Status.PENDING_PAYMENT, Status.INFO_REQUIRED, Status.UNDER_REVIEW})


def can_transition(current: Status | None, target: Status) -> bool:
    """Whether the diagram allows going from ``current`` (None: a new claim) to ``target``."""
    return target in ALLOWED_TRANSITIONS[current]


def transition(current: Status | None, target: Status) -> Status:
    """Return ``target`` if the change is legal, else raise :class:`IllegalTransition`."""
    if not can_transition(current, target):
        raise IllegalTransition(current, target)
    return target
