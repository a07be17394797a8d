"""Every barcode in a photo, 1D and 2D, through zxing-cpp."""

from __future__ import annotations

import zxingcpp
from PIL import Image, ImageOps


def barcode_texts(gray: Image.Image, *, thorough: bool = False) -> list[str]:
    """The payloads of the barcodes zxing-cpp finds, in any format.

    The quick pass takes a label as photographed: upright within ±45° and dark on light. The
    thorough pass also looks for barcodes turned a quarter and light on dark (on the inverted
    photo: zxing-cpp's own inversion misses whole inverted photos), at several times the
    cost, so it runs only when the quick one found no serial.
    """
    images = [gray, ImageOps.invert(gray)] if thorough else [gray]
    found = [barcode for image in images
             for barcode in zxingcpp.read_barcodes(image, try_rotate=thorough,
                                                   try_downscale=True, try_invert=False)]
    return [barcode.text for barcode in found if barcode.valid and barcode.text]
