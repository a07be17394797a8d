"""What a company has earned, is owed and may still earn, per status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.statuses import Status


@dataclass(frozen=True)
class StatusTotal:
    """Number of registrations in one status and the cashback they carry."""

    count: int = 0
    amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class Summary:
    """A company's registrations per status, with the totals installers ask for."""

    per_status: Mapping[Status, StatusTotal]

    def total(self, status: Status) -> StatusTotal:
        """The count and amount in ``status`` (zero when there are none)."""
        return self.per_status.get(status, StatusTotal())

    @property
    def paid(self) -> Decimal:
        """Cashback already paid to the company."""
        return self.total(Status.PAID).amount

    @property
    def pending(self) -> Decimal:
        """Cashback recognised and waiting for payment."""
        return self.total(Status.PENDING_PAYMENT).amount

    @property
    def awaiting_proof(self) -> Decimal:
        """Cashback that depends on documents (requested or being checked)."""
        return self.total(Status.INFO_REQUIRED).amount + self.total(Status.UNDER_REVIEW).amount

    @property
    def count(self) -> int:
        """All registrations, whatever their status."""
        return sum(t.count for t in self.per_status.values())


def amount_for(status: Status, unit_amount: Decimal) -> Decimal:
    """The cashback a registration carries in ``status``: nothing once ineligible."""
    return Decimal(0) if status is Status.INELIGIBLE else unit_amount


def summarise(rows: Iterable[tuple[Status, int, Decimal]]) -> Summary:
    """Build a summary from (status, count, sum of unit amounts) rows, e.g. a GROUP BY."""
    per_status: dict[Status, StatusTotal] = {}
    for status, count, unit_sum in rows:
        previous = per_status.get(status, StatusTotal())
        per_status[status] = StatusTotal(
            previous.count + count,
            previous.amount + (Decimal(0) if status is Status.INELIGIBLE else Decimal(unit_sum)),
        )
    return Summary(per_status=per_status)
