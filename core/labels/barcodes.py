"""Every barcode in a photo, 1D and 2D, through zxing-cpp."""

from __future__ import annotations

import zxingcpp
from PIL import Image


def barcode_texts(gray: Image.Image) -> list[str]:
    """The payloads of the barcodes zxing-cpp finds, in any format and orientation."""
    found = zxingcpp.read_barcodes(gray, try_rotate=True, try_downscale=True, try_invert=True)
    return [barcode.text for barcode in found if barcode.valid and barcode.text]
