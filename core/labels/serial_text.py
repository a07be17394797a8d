"""Serials in text read from a label (OCR output or a barcode's payload).

A label carries many numbers: the serial, but also part numbers, dates, ratings. A serial is
a token (or a few space-separated tokens, "3000 000 007") that matches a product's serial
format, read with the confusions OCR makes inside digit runs (O/0, I/1, B/8, ...). Serials
after a serial prefix ("SN:", "S/N", "Serial No.") are labelled; they win over bare numbers
that merely have the right shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# "S/N", "SN", "SIN" (OCR reads the slash as I), "Serial No.", "N° de série", "Matricola"...
_PREFIX = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"[S5]\s*[/|\\Il1]?\s*N(?:o|O|°)?"
    r"|SER(?:IAL|\.)?\s*(?:N(?:O|R|UMBER|UM)?\b|N°|#)?"
    r"|N°\s*(?:DE\s*)?S[ÉE]RIE|NUM(?:ERO|\.)?\s*(?:DI\s*)?SERIE|MATRICOLA"
    r")(?![A-Za-z])\s*[.:#=]?\s*[.:#=]?",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[0-9A-Za-z|!]+")
# What OCR writes for a digit, seen inside a run of digits.
_DIGIT_LOOKALIKES = str.maketrans({
    "O": "0", "o": "0", "D": "0", "Q": "0", "U": "0",
    "I": "1", "l": "1", "i": "1", "|": "1", "!": "1", "L": "1",
    "Z": "2", "z": "2", "S": "5", "s": "5", "G": "6", "b": "6",
    "T": "7", "B": "8", "g": "9", "q": "9",
})
MAX_JOINED_TOKENS = 4
GS1_SERIAL = re.compile(r"\(21\)([!-~]{1,20}?)(?=\(\d{2,4}\)|$)")


@dataclass(frozen=True)
class FoundSerial:
    """A serial found in text, and whether a serial prefix announced it."""

    serial: str
    labelled: bool


def serials_in_text(text: str, formats: Sequence[re.Pattern[str]]) -> list[FoundSerial]:
    """Every serial in ``text``, in reading order, each once (labelled if ever labelled)."""
    found: dict[str, bool] = {}
    for serial in GS1_SERIAL.findall(text):
        _add(found, serial.upper(), True, formats)
    lines = [line for line in text.splitlines() if line.strip()]
    announced = False
    for line in lines:
        prefix = _PREFIX.search(line)
        if prefix is None:
            for serial in _serials_in(line, formats):
                found[serial] = found.get(serial, False) or announced
            announced = False
            continue
        before, after = line[:prefix.start()], line[prefix.end():]
        for serial in _serials_in(before, formats):
            found.setdefault(serial, False)
        labelled = _serials_in(after, formats)
        for serial in labelled:
            found[serial] = True
        # "Serial No." alone on its line: the number is on the next one.
        announced = not after.strip()
    return [FoundSerial(serial, labelled) for serial, labelled in found.items()]


def _add(found: dict[str, bool], serial: str, labelled: bool,
         formats: Sequence[re.Pattern[str]]) -> None:
    if any(f.fullmatch(serial) for f in formats):
        found[serial] = found.get(serial, False) or labelled


def _serials_in(segment: str, formats: Sequence[re.Pattern[str]]) -> list[str]:
    """Leftmost-longest runs of space-separated tokens that read as a serial."""
    tokens = list(_TOKEN.finditer(segment))
    serials: list[str] = []
    start = 0
    while start < len(tokens):
        for end in range(min(len(tokens), start + MAX_JOINED_TOKENS), start, -1):
            if not _joined_by_spaces(segment, tokens[start:end]):
                continue
            serial = _as_serial("".join(t.group() for t in tokens[start:end]), formats)
            if serial is not None:
                serials.append(serial)
                start = end
                break
        else:
            start += 1
    return serials


def _joined_by_spaces(segment: str, tokens: Sequence[re.Match[str]]) -> bool:
    return all(segment[a.end():b.start()].isspace() and b.start() - a.end() <= 2
               for a, b in zip(tokens, tokens[1:], strict=False))


def _as_serial(raw: str, formats: Iterable[re.Pattern[str]]) -> str | None:
    """The serial ``raw`` spells, as is or with OCR's digit look-alikes read as digits."""
    spellings = [raw.upper()]
    digits = sum(c.isdigit() for c in raw)
    # Only inside runs that are mostly digits: "SOLID" must not become "50110".
    if digits * 3 >= len(raw) * 2:
        spellings.append(raw.translate(_DIGIT_LOOKALIKES).upper())
    for spelling in spellings:
        if any(f.fullmatch(spelling) for f in formats):
            return spelling
    return None
