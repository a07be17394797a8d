"""Every status, reason and document has its words; money and days read as people write them."""

from __future__ import annotations

import gettext
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum

import pytest

from core.eligibility import ClaimProblem, IneligibilityReason, InfoReason
from core.i18n import N_, babel_locale, day, money, number
from core.information_requests import DocumentKind
from core.statuses import Status
from core.wording import (
    CLAIM_PROBLEMS,
    DOCUMENT_KINDS,
    INFO_REASONS,
    REASONS,
    STATUS_MEANINGS,
    STATUS_NAMES,
    claim_problem_text,
    documents_text,
    ineligible_headline,
    info_reason_text,
    reason_text,
    status_name,
)

NNBSP, NBSP = "\u202f", "\u00a0"
ENGLISH = gettext.NullTranslations()


@pytest.mark.parametrize(
    ("table", "enum"),
    [
        (STATUS_NAMES, Status),
        (STATUS_MEANINGS, Status),
        (REASONS, IneligibilityReason),
        (INFO_REASONS, InfoReason),
        (DOCUMENT_KINDS, DocumentKind),
        (CLAIM_PROBLEMS, ClaimProblem),
    ],
    ids=["status names", "status meanings", "reasons", "info reasons", "document kinds",
         "claim problems"],
)
def test_wording_covers_every_member(table: dict[StrEnum, str], enum: type[StrEnum]) -> None:
    assert set(table) == set(enum)
    assert all(text.strip() for text in table.values())


@pytest.mark.parametrize("reason", list(IneligibilityReason))
def test_every_reason_reads_without_leftover_placeholders(reason: IneligibilityReason) -> None:
    text = reason_text(reason, ENGLISH, serial="3012345678", product="Sunny Home Manager",
                       detail="the invoice is not readable")

    assert "%(" not in text
    assert not re.search(r"%\w", text)


def test_reason_names_the_serial_and_product() -> None:
    text = reason_text(IneligibilityReason.PRODUCT_MISMATCH, ENGLISH, serial="3012345678",
                       product="Sunny Home Manager")

    assert "3012345678" in text
    assert "Sunny Home Manager" in text


def test_rejection_after_review_gives_the_operators_reason() -> None:
    text = reason_text(IneligibilityReason.REJECTED_AFTER_REVIEW, ENGLISH,
                       detail="the invoice is not readable")

    assert text.endswith("the invoice is not readable")


def test_ineligible_headline_is_the_flyers_sentence() -> None:
    assert ineligible_headline("SMA EV Charger", "3012345678", ENGLISH) == (
        "Registration not possible – The product SMA EV Charger with serial number 3012345678 "
        "is not part of the campaign or does not exist"
    )


def test_status_name_and_info_reason_and_documents_are_translated_messages() -> None:
    assert status_name(Status.PAID, ENGLISH) == "Device registered – payment made"
    assert info_reason_text(InfoReason.AUDIT_SAMPLE, ENGLISH) == (
        "This registration was selected for a routine check.")
    assert documents_text((DocumentKind.INVOICE, DocumentKind.COMMISSIONING_PROTOCOL),
                          ENGLISH) == "invoice, commissioning protocol"


def test_claim_problem_names_the_date_to_correct() -> None:
    text = claim_problem_text(ClaimProblem.INSTALLATION_IN_FUTURE, ENGLISH, date="27/11/2026")

    assert text == "The installation date 27/11/2026 is in the future. Please check it."


def test_info_required_meaning_states_the_deadline() -> None:
    assert "14 days" in STATUS_MEANINGS[Status.INFO_REQUIRED] % {"days": 14}


def test_marker_returns_the_message_unchanged() -> None:
    assert N_("invoice") == "invoice"


@pytest.mark.parametrize(
    ("language", "amount", "written"),
    [
        ("fr", Decimal("1234.5"), f"1{NNBSP}234,50{NBSP}€"),
        ("fr", Decimal("100"), f"100,00{NBSP}€"),
        ("fr", Decimal("0"), f"0,00{NBSP}€"),
        ("it", Decimal("1234.5"), f"1.234,50{NBSP}€"),
        ("it", Decimal("100"), f"100,00{NBSP}€"),
        ("en", Decimal("1234.5"), "€1,234.50"),
    ],
)
def test_money_is_written_the_way_people_in_the_language_write_it(
    language: str, amount: Decimal, written: str
) -> None:
    assert money(amount, "EUR", language) == written


@pytest.mark.parametrize("language", ["fr", "it", "en"])
def test_days_are_written_day_month_year(language: str) -> None:
    assert day(date(2026, 11, 27), language) == "27/11/2026"
    assert day(date(2026, 1, 5), language) == "05/01/2026"


@pytest.mark.parametrize(
    ("language", "written"), [("fr", f"1{NNBSP}234"), ("it", "1.234"), ("en", "1,234")]
)
def test_counts_use_the_locales_grouping(language: str, written: str) -> None:
    assert number(1234, language) == written


def test_unknown_language_is_formatted_as_english() -> None:
    assert babel_locale("de") == babel_locale("en") == "en_GB"
    assert money(Decimal("5"), "EUR", "de") == "€5.00"
