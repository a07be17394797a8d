"""Serial numbers as installers type them and as spreadsheets mangle them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.serials import matches_format, normalise_serial

SERIAL = "3012345678"


@pytest.mark.parametrize(
    "raw",
    [
        "3012345678",
        "  3012345678 ",
        "30 1234 5678",
        "301-234-5678",
        "301–234–5678",  # en dash, as word processors write it
        "3012\u00a0345\u00a0678",
        "301_234_5678",
        "301.234.5678",
        "301/234/5678",
        "'3012345678",  # a spreadsheet's text marker
        '"3012345678"',
        "SN:3012345678",
        "SN: 3012345678",
        "sn 3012345678",
        "SN#3012345678",
        "S/N 3012345678",
        "S/N: 3012345678",
        "s / n: 3012345678",
        "Serial No. 3012345678",
        "serial no: 3012345678",
        "Serial number: 3012345678",
        "SERIAL 3012345678",
        "N° 3012345678",
        "No. 3012345678",
    ],
)
def test_typed_serial_is_normalised_to_its_digits(raw: str) -> None:
    assert normalise_serial(raw) == SERIAL


@pytest.mark.parametrize(
    "raw",
    [
        "3012345678.0",
        "3012345678.00",
        "3.012345678E9",
        "3.012345678e9",
        "3.012345678E+09",
        "3,012345678E+09",
        "3,012345678e+9",
        "SN: 3.012345678E9",
    ],
)
def test_serial_turned_into_a_number_by_a_spreadsheet_gets_its_digits_back(raw: str) -> None:
    assert normalise_serial(raw) == SERIAL


@pytest.mark.parametrize("raw", [3012345678, 3012345678.0])
def test_serial_read_as_int_or_float_gets_its_digits_back(raw: int | float) -> None:
    assert normalise_serial(raw) == SERIAL


def test_serial_with_leading_zero_keeps_it_when_typed_as_text() -> None:
    assert normalise_serial("0123456789") == "0123456789"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("ab-12 cd", "AB12CD"),
        ("sma 30123", "SMA30123"),
        ("12.5", "125"),  # not a spreadsheet number: only the separator goes
        ("12,5", "12,5"),  # a comma is no separator in a serial
        ("", ""),
        (12.5, "125"),  # a float that is no whole number: cleaned like the text "12.5"
    ],
)
def test_serial_that_is_not_a_number_stays_unchanged_but_cleaned(
    raw: str | float, cleaned: str
) -> None:
    assert normalise_serial(raw) == cleaned


def test_format_check_needs_the_whole_serial_to_match() -> None:
    ten_digits = re.compile("[0-9]{10}")

    assert matches_format("3012345678", ten_digits)
    assert not matches_format("30123456789", ten_digits)
    assert not matches_format("301234567", ten_digits)
    assert not matches_format("301234567A", ten_digits)


_TYPED_SERIALS = st.builds(
    lambda prefix, parts, separator, suffix: prefix + separator.join(parts) + suffix,
    st.sampled_from(["", "SN", "SN:", "sn ", "S/N ", "S/N: ", "Serial No. ", "N° ", "'", " "]),
    st.lists(st.text(alphabet="0123456789", min_size=1, max_size=5), min_size=1, max_size=4),
    st.sampled_from(["", " ", "-", ".", "/", "_", "\u00a0"]),
    st.sampled_from(["", " ", ".0", "E3", "e+2", "'"]),
)


@given(st.one_of(st.text(), _TYPED_SERIALS))
def test_normalising_a_normalised_serial_changes_nothing(raw: str) -> None:
    once = normalise_serial(raw)

    assert normalise_serial(once) == once


@given(st.one_of(st.integers(), st.floats()))
def test_normalising_a_number_read_from_a_spreadsheet_is_idempotent(raw: int | float) -> None:
    once = normalise_serial(raw)

    assert normalise_serial(once) == once


@pytest.mark.parametrize("raw", ["1E5000", "1E99999999", "9" * 40 + "E2"])
def test_huge_number_in_scientific_notation_is_cleaned_not_expanded(raw: str) -> None:
    assert normalise_serial(raw) == raw.upper()
