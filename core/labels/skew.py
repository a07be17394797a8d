"""Straightening a label photo for text reading.

Barcode reading copes with any rotation; OCR does not, beyond a few degrees. The angle that
makes the rows of ink most distinct (largest variance of the row averages) is the one that
puts the lines of text horizontal.
"""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

MAX_ANGLE = 24
COARSE_STEP = 2
PROBE_SIDE = 640


def flatten_light(gray: Image.Image) -> Image.Image:
    """Dark ink on white, whatever the lighting: the paper's own brightness is divided out."""
    small = gray.reduce(8) if min(gray.size) >= 64 else gray
    paper = small.filter(ImageFilter.MaxFilter(5)).resize(gray.size, Image.Resampling.BILINEAR)
    ink = ImageChops.subtract(paper, gray)
    return ImageOps.invert(ImageOps.autocontrast(ink, cutoff=(0, 0.5)))


def skew_angle(gray: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise) that levels the text lines."""
    probe = ImageOps.invert(gray.copy())
    probe.thumbnail((PROBE_SIDE, PROBE_SIDE))
    probe = probe.point(lambda v: 255 if v > 96 else 0)

    def score(angle: float) -> float:
        turned = probe.rotate(angle, resample=Image.Resampling.NEAREST)
        rows = turned.resize((1, turned.height), Image.Resampling.BOX)
        return float(ImageStat.Stat(rows).var[0])

    best = max(range(-MAX_ANGLE, MAX_ANGLE + 1, COARSE_STEP), key=score)
    return max((best + d / 2 for d in range(-3, 4)), key=score)


def straighten(gray: Image.Image) -> Image.Image:
    """The photo with light flattened and text lines levelled, ready for OCR."""
    flat = flatten_light(gray)
    angle = skew_angle(flat)
    if abs(angle) < 0.5:
        return flat
    return flat.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
