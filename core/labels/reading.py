"""Reading a device's type label: photo bytes in, serial candidates out.

Barcodes first: they are exact. Only when no barcode yields a serial is the text read, by
a function the caller passes in (OCR is a program, so it lives outside the core). Each
candidate is looked up in master data, which names its product; a candidate master data
does not know is flagged, so nothing unverified is ever offered as if it were certain.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image

from core.campaign import Campaign
from core.labels.barcodes import Decoded, barcode_texts
from core.labels.image import ImageLimits, open_photo
from core.labels.serial_text import FoundSerial, serials_in_text
from core.labels.skew import straighten
from core.masterdata import Device, MasterData, suggest_serials

TextReader = Callable[[Image.Image], str]
MAX_CANDIDATES = 10
DEFAULT_LIMITS = ImageLimits()


class Source(StrEnum):
    """Where on the label a serial was read."""

    BARCODE = "barcode"
    TEXT = "text"


@dataclass(frozen=True)
class Candidate:
    """A serial read from the label, to be confirmed by the installer."""

    serial: str
    source: Source
    product_code: str | None  # from master data
    known: bool | None  # None: the campaign runs without master data
    suggestions: tuple[str, ...] = ()  # known serials one misreading away

    @property
    def flagged(self) -> bool:
        """Not confirmed by master data: the installer must check it against the label."""
        return self.known is not True


@dataclass(frozen=True)
class LabelReading:
    """What one photo gave: the candidates, and what was tried."""

    candidates: tuple[Candidate, ...]
    barcodes: int  # barcodes decoded, serial or not
    text_read: bool  # whether the text was read


def read_label(image: bytes, *, campaign: Campaign, masterdata: MasterData,
               read_text: TextReader | None = None, barcodes: bool = True,
               limits: ImageLimits = DEFAULT_LIMITS) -> LabelReading:
    """The serials on the type label(s) in ``image``; raises UnreadableImage."""
    gray = open_photo(image, limits)
    formats = [product.serial_format for product in campaign.products.values()]
    found, where, decoded = _from_barcodes(gray, formats) if barcodes else ([], {}, 0)
    source, text_read = Source.BARCODE, False
    if not found and read_text is not None:
        found = serials_in_text(read_text(straighten(gray)), formats)
        source, text_read = Source.TEXT, True
    known = masterdata.lookup(f.serial for f in found) if found else {}
    if source is Source.TEXT:
        # Bare numbers of the right shape count only when master data knows them, or when no
        # serial prefix was read at all (a part number must not pass for a serial).
        labelled = any(f.labelled for f in found)
        found = [f for f in found if f.labelled or not labelled or f.serial in known]
    else:
        found = drop_misreadings(found, where, known)
    available = masterdata.available
    candidates = []
    for serial in dict.fromkeys(f.serial for f in found):
        device = known.get(serial)
        candidates.append(Candidate(
            serial=serial, source=source,
            product_code=device.product_code if device else None,
            known=(device is not None) if available else None,
            suggestions=() if device or not available else suggest_serials(serial, masterdata)))
    return LabelReading(tuple(candidates[:MAX_CANDIDATES]), decoded, text_read)


def drop_misreadings(found: Sequence[FoundSerial], where: Mapping[str, Sequence[Decoded]],
                     known: Mapping[str, Device]) -> list[FoundSerial]:
    """One barcode read two ways (a damaged bar can pass the checksum): keep the known one."""
    return [f for f in found if f.serial in known or not any(
        mine.overlaps(theirs) for serial in known for theirs in where.get(serial, ())
        for mine in where.get(f.serial, ()))]


def _from_barcodes(gray: Image.Image, formats: Sequence[re.Pattern[str]],
                   ) -> tuple[list[FoundSerial], dict[str, list[Decoded]], int]:
    """The serials in the barcodes, where each was read, and how many barcodes were read."""
    found: list[FoundSerial] = []
    where: dict[str, list[Decoded]] = {}
    payloads: list[Decoded] = []
    for thorough in (False, True):
        payloads = barcode_texts(gray, thorough=thorough)
        for decoded in payloads:
            for serial in _preferred(serials_in_text(decoded.text, formats)):
                found.append(serial)
                where.setdefault(serial.serial, []).append(decoded)
        if found:
            break
    return found, where, len(payloads)


def _preferred(found: Sequence[FoundSerial]) -> list[FoundSerial]:
    """In one barcode's payload, a labelled serial ("S/N:...") wins over other numbers."""
    labelled = [f for f in found if f.labelled]
    return labelled or list(found)
