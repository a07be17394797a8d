"""Finding serials in what OCR or a barcode gives: prefixes, spaces, look-alike characters."""

from __future__ import annotations

import re

import pytest

from core.labels.serial_text import FoundSerial, serials_in_text

TEN_DIGITS = [re.compile("[0-9]{10}")]


def serials(text: str) -> list[str]:
    return [found.serial for found in serials_in_text(text, TEN_DIGITS)]


@pytest.mark.parametrize("line", [
    "Serial No.: 3012345678", "SN:3012345678", "S/N 3012345678", "S/N: 30 1234 5678",
    "Serial number 3012 345 678", "N° de série : 3012345678", "Numero di serie: 3012345678",
    "SIN: 3012345678", "5/N: 3012345678",
])
def test_serial_prefixes_and_spaces_are_tolerated(line: str) -> None:
    assert serials_in_text(line, TEN_DIGITS) == [FoundSerial("3012345678", labelled=True)]


@pytest.mark.parametrize(("read", "serial"), [
    ("3O12345678", "3012345678"), ("30I2345678", "3012345678"), ("3012345B78", "3012345878"),
    ("301234567l", "3012345671"), ("3012S45678", "3012545678"), ("30|2345678", "3012345678"),
])
def test_ocr_confusions_inside_digit_runs_are_read_as_digits(read: str, serial: str) -> None:
    assert serials(f"Serial No.: {read}") == [serial]


def test_words_are_not_read_as_digits() -> None:
    assert serials("SOLID BOLTS IIOOIIOOII 3 phase") == []


@pytest.mark.parametrize("other", [
    "Part No.: 1061-2345-01", "Date: 2026-03-14", "EAN: 4049976123456", "Type: STP10.0-3SE-40",
    "AC: 400 V 3~ 50 Hz 16 A", "Item 12345678901", "03/2026",
])
def test_other_numbers_on_a_label_are_not_serials(other: str) -> None:
    assert serials(other) == []


def test_a_labelled_serial_is_marked_and_bare_numbers_are_not() -> None:
    found = serials_in_text("Order 4500123456\nSerial No.: 3012345678", TEN_DIGITS)
    assert found == [FoundSerial("4500123456", labelled=False),
                     FoundSerial("3012345678", labelled=True)]


def test_a_prefix_alone_on_its_line_announces_the_next_line() -> None:
    found = serials_in_text("Serial No.\n3012345678\n4500123456", TEN_DIGITS)
    assert found == [FoundSerial("3012345678", labelled=True),
                     FoundSerial("4500123456", labelled=False)]


def test_two_labels_give_two_serials() -> None:
    assert serials("SN: 3012345678   SN: 3087654321") == ["3012345678", "3087654321"]


def test_a_gs1_serial_application_identifier_is_a_labelled_serial() -> None:
    assert serials_in_text("(01)04049976123456(21)3012345678", TEN_DIGITS) == [
        FoundSerial("3012345678", labelled=True)]


def test_a_barcode_payload_with_fields() -> None:
    assert serials("S/N:3012345678;P/N:138420-00.01") == ["3012345678"]
