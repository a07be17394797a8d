"""What can be wrong with one row of an upload, before any campaign rule is applied."""

from __future__ import annotations

from enum import StrEnum

from core.i18n import N_, Translator


class RowProblem(StrEnum):
    """A row that cannot become a claim; the installer corrects it and sends the row again.

    INSTALLATION_IN_FUTURE is never found by the reader (it has no clock): the import use
    case sets it when :func:`core.eligibility.evaluate` refuses the claim for that reason.
    """

    MISSING_SERIAL = "missing_serial"
    MISSING_PRODUCT = "missing_product"
    UNKNOWN_PRODUCT = "unknown_product"
    MISSING_DATE = "missing_date"
    UNREADABLE_DATE = "unreadable_date"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    INSTALLATION_IN_FUTURE = "installation_in_future"


PROBLEM_TEXTS: dict[RowProblem, str] = {
    RowProblem.MISSING_SERIAL: N_("The serial number is missing."),
    RowProblem.MISSING_PRODUCT: N_("The product is missing: please choose it from the list."),
    RowProblem.UNKNOWN_PRODUCT: N_(
        "Product not recognised: please choose it from the list."),
    RowProblem.MISSING_DATE: N_("The installation date is missing."),
    RowProblem.UNREADABLE_DATE: N_(
        "The installation date cannot be read: please write it as dd/mm/yyyy."),
    RowProblem.DUPLICATE_IN_FILE: N_(
        "This serial number is already on an earlier row of the file."),
    RowProblem.INSTALLATION_IN_FUTURE: N_(
        "The installation date is in the future. Please check it."),
}


def problem_text(problem: RowProblem, t: Translator) -> str:
    """The installer-facing explanation of a row problem, saying how to fix it."""
    return t.gettext(PROBLEM_TEXTS[problem])
