"""The result of one uploaded row, and the words that explain it to the installer.

The import use case (storage layer) fills one :class:`RowResult` per parsed row: the
campaign's :class:`~core.eligibility.Verdict` when the row could be judged, or the
:class:`RowProblem` that stopped it. Everything the installer reads about a row comes from
here, so that the chat answer and the result workbook say the same thing.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from core.campaign import Campaign
from core.eligibility import IneligibilityReason, Verdict
from core.i18n import Translator, day
from core.statuses import Status
from core.template.problems import RowProblem, problem_text
from core.template.rows import ParsedRow
from core.wording import documents_text, info_reason_text, reason_text, status_name


class Mark(StrEnum):
    """How a row is shown: what, if anything, the installer still has to do."""

    ACCEPTED = "accepted"  # registered, nothing to do
    PROOF = "proof"  # registered, documents to send
    REJECTED = "rejected"  # not registered: correct the row, or it cannot take part
    UNCHANGED = "unchanged"  # the company had registered it already


class RowResult(NamedTuple):
    """What became of one row of an upload (a named tuple, like :class:`ParsedRow`).

    Attributes:
        row_number: the row in the installer's file (:attr:`ParsedRow.row_number`).
        serial: the normalised serial, "" when the row had none.
        outcome: the verdict on the claim, or the problem that kept the row from being judged.
    """

    row_number: int
    serial: str
    outcome: Verdict | RowProblem

    @classmethod
    def of(cls, row: ParsedRow, verdict: Verdict | None = None) -> RowResult:
        """The result of ``row``: its verdict, or its problem when it has one."""
        if verdict is not None:
            return cls(row.row_number, verdict.serial, verdict)
        if row.problem is None:
            raise ValueError(f"row {row.row_number} has no problem: give its verdict")
        return cls(row.row_number, row.serial, row.problem)

    @property
    def mark(self) -> Mark:
        """How the row is shown in the result workbook."""
        verdict = self.outcome
        if not isinstance(verdict, Verdict):
            return Mark.REJECTED
        if verdict.reason is IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY:
            return Mark.UNCHANGED
        if verdict.status is Status.INELIGIBLE:
            return Mark.REJECTED
        if verdict.status is Status.INFO_REQUIRED:
            return Mark.PROOF
        return Mark.ACCEPTED

    @property
    def amount(self) -> Decimal:
        """The cashback the row carries: nothing unless the device takes part."""
        verdict = self.outcome
        if isinstance(verdict, Verdict) and verdict.status is not Status.INELIGIBLE:
            return verdict.amount
        return Decimal(0)


def result_headline(result: RowResult, t: Translator) -> str:
    """The short result: the official status name, or "Not registered" for a row problem."""
    if isinstance(result.outcome, Verdict):
        return status_name(result.outcome.status, t)
    return t.gettext("Not registered")


def result_details(result: RowResult, campaign: Campaign, language: str, t: Translator) -> str:
    """Why, and what to do next: the reason, the serials meant, the documents and their date."""
    verdict = result.outcome
    if not isinstance(verdict, Verdict):
        return problem_text(verdict, t)
    parts: list[str] = []
    if verdict.reason is not None:
        product = campaign.product(verdict.product_code) if verdict.product_code else None
        parts.append(reason_text(
            verdict.reason, t, serial=verdict.serial,
            product=product.name(language) if product else verdict.product_code or ""))
    if verdict.suggestions:
        parts.append(t.gettext("Did you mean: %(serials)s?")
                     % {"serials": ", ".join(verdict.suggestions)})
    if verdict.info_reason is not None:
        parts.append(info_reason_text(verdict.info_reason, t))
    if verdict.documents_needed and verdict.terms is not None:
        parts.append(t.gettext("Please send: %(documents)s, by %(date)s.")
                     % {"documents": documents_text(verdict.documents_needed, t),
                        "date": day(verdict.terms.due_on, language)})
    return " ".join(parts)
