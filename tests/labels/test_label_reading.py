"""Reading generated, degraded label photos: the exact serial, and nothing else."""

from __future__ import annotations

import io

import pytest
from label_cases import Case, make_case, masterdata_for
from PIL import Image, ImageOps

from core.campaign import Campaign
from core.labels import Source, TextReader, read_label
from core.labels.barcodes import Decoded
from core.labels.reading import drop_misreadings
from core.labels.serial_text import FoundSerial
from core.masterdata import Device, InMemoryMasterData, NoMasterData

BARCODE_CASES = [make_case(i, symbology) for symbology in ("code128", "datamatrix", "qr")
                 for i in range(6)]
TEXT_CASES = [make_case(i, "none") for i in range(8)]


def other_numbers(case: Case) -> set[str]:
    return {number for label in case.labels for number in label.other_numbers}


@pytest.mark.parametrize("case", BARCODE_CASES, ids=lambda case: case.name)
def test_barcode_labels_give_their_serial_without_ocr(case: Case, fr_campaign: Campaign) -> None:
    reading = read_label(case.photo, campaign=fr_campaign, masterdata=masterdata_for(case))

    assert [c.serial for c in reading.candidates] == case.serials
    [candidate] = reading.candidates
    assert (candidate.source, candidate.product_code, candidate.known) == (
        Source.BARCODE, "STP-SE", True)
    assert not reading.text_read


@pytest.mark.parametrize("case", TEXT_CASES, ids=lambda case: case.name)
def test_text_only_labels_give_their_serial_through_ocr(
        case: Case, fr_campaign: Campaign, tesseract: TextReader) -> None:
    reading = read_label(case.photo, campaign=fr_campaign, masterdata=masterdata_for(case),
                         read_text=tesseract)

    assert [c.serial for c in reading.candidates] == case.serials
    assert reading.candidates[0].source is Source.TEXT
    assert reading.text_read
    assert not {c.serial for c in reading.candidates} & other_numbers(case)


def test_other_numbers_are_not_offered_even_without_master_data(
        fr_campaign: Campaign, tesseract: TextReader) -> None:
    for case in [BARCODE_CASES[0], BARCODE_CASES[6], TEXT_CASES[0]]:
        reading = read_label(case.photo, campaign=fr_campaign, masterdata=NoMasterData(),
                             read_text=tesseract)
        assert [c.serial for c in reading.candidates] == case.serials
        assert reading.candidates[0].known is None  # not checked: the campaign has none


@pytest.mark.parametrize("symbology", ["code128", "datamatrix", "none"])
def test_a_photo_with_two_labels_gives_both_serials(
        symbology: str, fr_campaign: Campaign, tesseract: TextReader) -> None:
    case = make_case(0, symbology, count=2)  # type: ignore[arg-type]
    reading = read_label(case.photo, campaign=fr_campaign, masterdata=masterdata_for(case),
                         read_text=tesseract)

    assert sorted(c.serial for c in reading.candidates) == sorted(case.serials)


def test_a_serial_master_data_does_not_know_is_flagged_with_the_near_known_ones(
        fr_campaign: Campaign) -> None:
    case = BARCODE_CASES[0]
    printed = case.serials[0]
    neighbour = printed[:-1] + ("1" if printed[-1] != "1" else "2")
    known = {**masterdata_for(make_case(99, "qr")).devices,
             neighbour: masterdata_for(case).devices[printed]}

    reading = read_label(case.photo, campaign=fr_campaign, masterdata=InMemoryMasterData(known))

    [candidate] = reading.candidates
    assert (candidate.serial, candidate.known, candidate.flagged) == (printed, False, True)
    assert candidate.product_code is None
    assert neighbour in candidate.suggestions


def test_barcodes_are_read_without_tesseract(fr_campaign: Campaign) -> None:
    case = BARCODE_CASES[3]
    reading = read_label(case.photo, campaign=fr_campaign, masterdata=masterdata_for(case),
                         read_text=None)
    assert [c.serial for c in reading.candidates] == case.serials


def test_without_tesseract_a_text_only_label_gives_nothing(fr_campaign: Campaign) -> None:
    case = TEXT_CASES[0]
    reading = read_label(case.photo, campaign=fr_campaign, masterdata=masterdata_for(case))
    assert reading.candidates == ()
    assert not reading.text_read


def test_barcode_reading_can_be_turned_off(fr_campaign: Campaign, tesseract: TextReader) -> None:
    case = BARCODE_CASES[0]
    reading = read_label(case.photo, campaign=fr_campaign, masterdata=masterdata_for(case),
                         read_text=tesseract, barcodes=False)
    assert reading.barcodes == 0
    assert [(c.serial, c.source) for c in reading.candidates] == [(case.serials[0], Source.TEXT)]


def test_a_label_photographed_sideways_or_inverted_is_still_read(fr_campaign: Campaign) -> None:
    case = BARCODE_CASES[1]  # Code 128: a quarter turn defeats the quick pass
    photo = Image.open(io.BytesIO(case.photo))
    for turned in (photo.rotate(90, expand=True), ImageOps.invert(photo.convert("L"))):
        out = io.BytesIO()
        turned.save(out, "JPEG", quality=80)
        reading = read_label(out.getvalue(), campaign=fr_campaign,
                             masterdata=masterdata_for(case))
        assert [c.serial for c in reading.candidates] == case.serials


def test_one_barcode_read_two_ways_offers_the_reading_master_data_knows() -> None:
    # Seen in the benchmark: a Code 128 decoded twice in the same place, once wrongly with a
    # passing checksum (boxes as zxing-cpp gave them), next to the label's EAN-13.
    right = Decoded("3544259045", (1063, 807, 1430, 918))
    misread = Decoded("0244252145", (1068, 846, 1431, 909))
    elsewhere = Decoded("S/N:3012345678", (100, 100, 300, 300))
    found = [FoundSerial("3544259045", False), FoundSerial("0244252145", False),
             FoundSerial("3012345678", True)]
    where = {"3544259045": [right], "0244252145": [misread], "3012345678": [elsewhere]}
    device = Device("3544259045", "STP-SE", None)

    kept = drop_misreadings(found, where, {"3544259045": device})

    assert [f.serial for f in kept] == ["3544259045", "3012345678"]
    assert drop_misreadings(found, where, {}) == found  # without master data: all, flagged
