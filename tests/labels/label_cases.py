"""The corpus: one label photo per case, with the serial it must give."""

from __future__ import annotations

import random
from dataclasses import dataclass

from core.masterdata import Device, InMemoryMasterData
from sandbox.label_photos import Degradation, Label, Symbology, photograph


@dataclass(frozen=True)
class Case:
    """A photo and the serials printed on it."""

    name: str
    labels: tuple[Label, ...]
    photo: bytes

    @property
    def serials(self) -> list[str]:
        return [label.serial for label in self.labels]


def make_case(index: int, symbology: Symbology, count: int = 1) -> Case:
    """Case ``index`` of a symbology: random serial and degradation, fixed by the index."""
    rng = random.Random(f"{symbology}/{count}/{index}")
    labels = tuple(Label(str(rng.randint(3_000_000_001, 3_999_999_999)), symbology=symbology,
                         part_number=f"{rng.randint(100000, 999999)}-00.01")
                   for _ in range(count))
    degradation = Degradation.random(rng)
    if count > 1:  # two labels side by side on one wall: one shared, milder tilt
        degradation = Degradation(rotation=rng.uniform(-8, 8), perspective=0.02, blur=0.6,
                                  noise=0.05, light=0.3)
    return Case(f"{symbology}-{count}-{index}", labels, photograph(list(labels), degradation,
                                                                   seed=index))


def masterdata_for(*cases: Case, product: str = "STP-SE") -> InMemoryMasterData:
    """Master data knowing every serial printed in ``cases``."""
    return InMemoryMasterData({serial: Device(serial, product, None)
                               for case in cases for serial in case.serials})
