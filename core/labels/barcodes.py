"""Every barcode in a photo, 1D and 2D, through zxing-cpp."""

from __future__ import annotations

from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageOps

Box = tuple[int, int, int, int]  # left, top, right, bottom


@dataclass(frozen=True)
class Decoded:
    """A barcode's payload and where it is in the photo."""

    text: str
    box: Box

    def overlaps(self, other: Decoded) -> bool:
        """Mostly the same place: two readings of one barcode."""
        left, top = max(self.box[0], other.box[0]), max(self.box[1], other.box[1])
        right, bottom = min(self.box[2], other.box[2]), min(self.box[3], other.box[3])
        shared = max(0, right - left) * max(0, bottom - top)
        smaller = min(_area(self.box), _area(other.box))
        return smaller > 0 and shared * 2 > smaller


def barcode_texts(gray: Image.Image, *, thorough: bool = False) -> list[Decoded]:
    """The barcodes zxing-cpp finds, in any format.

    The quick pass takes a label as photographed: upright within ±45° and dark on light. The
    thorough pass also looks for barcodes turned a quarter and light on dark (on the inverted
    photo: zxing-cpp's own inversion misses whole inverted photos), at several times the
    cost, so it runs only when the quick one found no serial.
    """
    images = [gray, ImageOps.invert(gray)] if thorough else [gray]
    found = [barcode for image in images
             for barcode in zxingcpp.read_barcodes(image, try_rotate=thorough,
                                                   try_downscale=True, try_invert=False)]
    return [Decoded(barcode.text, _box(barcode.position)) for barcode in found
            if barcode.valid and barcode.text]


def _box(position: zxingcpp.Position) -> Box:
    corners = (position.top_left, position.top_right, position.bottom_right,
               position.bottom_left)
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])
