"""Opening a photo within bounds: a hostile image must not exhaust memory or time.

The file size is checked before anything is parsed, the pixel count from the header before
anything is decoded, and JPEG photos are decoded directly at a reduced scale (Pillow's draft
mode) when they are larger than what reading a label needs.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from core.i18n import N_, LocalizedError

# Telegram photos are JPEG; files sent as documents are JPEG, PNG or WebP.
FORMATS = ("JPEG", "PNG", "WEBP")


@dataclass(frozen=True)
class ImageLimits:
    """What a label photo may be: file size, pixels, and the size it is read at."""

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000  # a 50-megapixel phone camera
    working_side: int = 2400  # longest side the label is read at


class UnreadableImage(LocalizedError):
    """The file is not an image we read, or is beyond the limits."""


def open_photo(data: bytes, limits: ImageLimits) -> Image.Image:
    """The photo in grey levels, upright (EXIF), at most ``working_side`` pixels long."""
    if len(data) > limits.max_bytes:
        raise UnreadableImage(N_("The image is too large: at most %(limit)d MB."),
                              limit=limits.max_bytes // (1024 * 1024))
    too_many_pixels = UnreadableImage(
        N_("The image has too many pixels: at most %(limit)d megapixels."),
        limit=limits.max_pixels // 1_000_000)
    not_an_image = UnreadableImage(N_("This file is not a JPEG, PNG or WebP image."))
    with warnings.catch_warnings():
        # Pillow only warns below its own (process-wide) bomb limit; ours is the one that counts.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise too_many_pixels from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise not_an_image from None
        width, height = opened.size
        if width * height > limits.max_pixels or width < 1 or height < 1:
            raise too_many_pixels
        if opened.format == "JPEG":
            opened.draft("L", (limits.working_side, limits.working_side))
        try:
            gray = ImageOps.exif_transpose(opened).convert("L")
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise not_an_image from None
    if max(gray.size) > limits.working_side:
        gray.thumbnail((limits.working_side, limits.working_side), Image.Resampling.BILINEAR)
    return gray
