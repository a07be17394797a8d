"""The manufacturer's list of produced devices, and "did you mean" for mistyped serials."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, Protocol

_DIGITS = "0123456789"


class Device(NamedTuple):
    """One produced device: what makes "serial unknown" and "wrong product" decidable.

    A named tuple: a 100,000-row import looks up 100,000 of them.
    """

    serial: str
    product_code: str
    production_date: date | None


class MasterData(Protocol):
    """Read access to master data; storage answers from the database, tests from a dict."""

    @property
    def available(self) -> bool:
        """False when the campaign runs without master data (format checks only)."""
        ...

    def lookup(self, serials: Iterable[str]) -> Mapping[str, Device]:
        """The known devices among ``serials``, by serial."""
        ...


@dataclass(frozen=True)
class InMemoryMasterData:
    """Master data held in a dict: for tests, benchmarks and batch look-ups."""

    devices: Mapping[str, Device]

    @property
    def available(self) -> bool:
        """Master data in memory is available even when empty: it was loaded."""
        return True

    def lookup(self, serials: Iterable[str]) -> Mapping[str, Device]:
        """The known devices among ``serials``, by serial."""
        return {s: self.devices[s] for s in serials if s in self.devices}


@dataclass(frozen=True)
class NoMasterData:
    """A campaign running without master data: only the serial format can be checked."""

    @property
    def available(self) -> bool:
        """Never available."""
        return False

    def lookup(self, serials: Iterable[str]) -> Mapping[str, Device]:
        """Knows nothing."""
        return {}


def near_misses(serial: str) -> list[str]:
    """Serials one typo away: a digit changed, dropped, added, or two digits swapped.

    These are the typos people make when copying a ten-digit number from a label; the
    candidates are checked against master data rather than scanning it, so the cost does not
    grow with the number of produced devices.
    """
    seen: dict[str, None] = {}
    n = len(serial)
    pairs = [(i, i + 1) for i in range(n - 1)]
    pairs += [(i, j) for i in range(n) for j in range(i + 2, n)]
    for i, j in pairs:
        if serial[i] != serial[j]:
            swapped = serial[:i] + serial[j] + serial[i + 1 : j] + serial[i] + serial[j + 1 :]
            seen.setdefault(swapped, None)
    for i in range(n):
        for digit in _DIGITS:
            if digit != serial[i]:
                seen.setdefault(serial[:i] + digit + serial[i + 1 :], None)
        seen.setdefault(serial[:i] + serial[i + 1 :], None)
    for i in range(n + 1):
        for digit in _DIGITS:
            seen.setdefault(serial[:i] + digit + serial[i:], None)
    seen.pop(serial, None)
    return list(seen)


def suggest_serials(
    serial: str, masterdata: MasterData, product_code: str | None = None, limit: int = 3
) -> tuple[str, ...]:
    """Known serials the installer probably meant, the likeliest first.

    Adjacent swaps come first (the commonest slip), then other swaps and changed digits, then
    dropped or added digits. Devices of the declared product rank before others.
    """
    candidates = near_misses(serial)
    known = masterdata.lookup(candidates)
    order = {candidate: rank for rank, candidate in enumerate(candidates)}

    def likelihood(candidate: str) -> tuple[int, int, int]:
        same_product = 0 if product_code in (None, known[candidate].product_code) else 1
        kind = 0 if len(candidate) == len(serial) else 1
        return (same_product, kind, order[candidate])

    return tuple(sorted(known, key=likelihood)[:limit])
