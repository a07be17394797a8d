"""Reading a device's type label: photo bytes in, serial candidates out.

Barcodes first: they are exact. Only when no barcode yields a serial is the text read, by
a function the caller passes in (OCR is a program, so it lives outside the core). Each
candidate is looked up in master data, which names its product; a candidate master data
does not know is flagged, so nothing unverified is ever offered as if it were certain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image

from core.campaign import Campaign
from core.labels.barcodes import barcode_texts
from core.labels.image import ImageLimits, open_photo
from core.labels.serial_text import FoundSerial, serials_in_text
from core.labels.skew import straighten
from core.masterdata import MasterData, suggest_serials

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
    payloads: list[str] = []
    found: list[FoundSerial] = []
    for thorough in (False, True) if barcodes else ():
        payloads = barcode_texts(gray, thorough=thorough)
        found = [f for text in payloads for f in _preferred(serials_in_text(text, formats))]
        if found:
            break
    source = Source.BARCODE
    text_read = False
    if not found and read_text is not None:
        text_read = True
        found = serials_in_text(read_text(straighten(gray)), formats)
        source = Source.TEXT
    known = masterdata.lookup(f.serial for f in found) if found else {}
    if source is Source.TEXT:
        # Bare numbers of the right shape count only when master data knows them, or when no
        # serial prefix was read at all (a part number must not pass for a serial).
        labelled = any(f.labelled for f in found)
        found = [f for f in found if f.labelled or not labelled or f.serial in known]
    candidates = []
    for serial in dict.fromkeys(f.serial for f in found):
        device = known.get(serial)
        available = masterdata.available
        candidates.append(Candidate(
            serial=serial, source=source,
            product_code=device.product_code if device else None,
            known=(device is not None) if available else None,
            suggestions=() if device or not available else suggest_serials(serial, masterdata)))
    return LabelReading(tuple(candidates[:MAX_CANDIDATES]), len(payloads), text_read)


def _preferred(found: Sequence[FoundSerial]) -> list[FoundSerial]:
    """In one barcode's payload, a labelled serial ("S/N:...") wins over other numbers."""
    labelled = [f for f in found if f.labelled]
    return labelled or list(found)
