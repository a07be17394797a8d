"""Type labels drawn like a manufacturer's and photographed like on a roof.

A label has the model, the serial as text (and as a barcode, unless it is a text-only
label), and other numbers that must not pass for serials: part number, EAN, production date,
ratings. The "photo" is then degraded the way phone photos are: rotated, in perspective,
blurred, noisy, unevenly lit, and saved as JPEG at quality 60. Used by the tests, the
benchmarks and the sandbox.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Literal

import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

Symbology = Literal["code128", "datamatrix", "qr", "none"]
LABEL_SIZE = (1000, 620)
PHOTO_SIZE = (1600, 1200)
_FORMATS = {"code128": zxingcpp.BarcodeFormat.Code128,
            "datamatrix": zxingcpp.BarcodeFormat.DataMatrix,
            "qr": zxingcpp.BarcodeFormat.QRCode}


@dataclass(frozen=True)
class Label:
    """What is printed on one type label."""

    serial: str
    model: str = "Sunny Tripower Smart Energy"
    type_code: str = "STP10.0-3SE-40"
    part_number: str = "138420-00.01"
    ean: str = "4049976123456"
    manufactured: str = "2026-03-14"
    symbology: Symbology = "code128"

    @property
    def other_numbers(self) -> tuple[str, ...]:
        """Numbers on the label that are not the serial."""
        return (self.part_number, self.ean, self.manufactured, self.type_code)


@dataclass(frozen=True)
class Degradation:
    """How the phone photo spoils the label."""

    rotation: float = 0.0  # degrees
    perspective: float = 0.0  # share of the label's width a corner moves
    blur: float = 0.0  # Gaussian radius, pixels
    noise: float = 0.0  # share of noise blended in
    light: float = 0.0  # how much darker the dim side is (0..1)
    quality: int = 60  # JPEG

    @classmethod
    def random(cls, rng: random.Random) -> Degradation:
        """A photo as installers take them: up to 20°, some perspective, blur, noise, shade."""
        return cls(rotation=rng.uniform(-20, 20), perspective=rng.uniform(0, 0.06),
                   blur=rng.uniform(0.3, 1.2), noise=rng.uniform(0.03, 0.10),
                   light=rng.uniform(0.1, 0.45))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size)


def draw_label(label: Label) -> Image.Image:
    """The label as printed: white, black text, the barcode on the right."""
    image = Image.new("L", LABEL_SIZE, 255)
    draw = ImageDraw.Draw(image)
    width, height = LABEL_SIZE
    draw.rectangle((4, 4, width - 5, height - 5), outline=0, width=4)
    draw.text((30, 22), "SMA", font=_font(52), fill=0)
    draw.text((30, 90), label.model, font=_font(34), fill=0)
    lines = [f"Type: {label.type_code}", f"Serial No.: {label.serial}",
             f"Part No.: {label.part_number}", f"EAN: {label.ean}",
             f"Date: {label.manufactured}", "AC: 400 V 3~ 50 Hz  16 A", "IP65"]
    for index, line in enumerate(lines):
        draw.text((30, 160 + index * 58), line, font=_font(32), fill=0)
    if label.symbology != "none":
        payload = (label.serial if label.symbology == "code128"
                   else f"S/N:{label.serial};P/N:{label.part_number}")
        barcode = _barcode(payload, _FORMATS[label.symbology],
                           3 if label.symbology == "code128" else 8)
        if label.symbology == "code128":
            barcode = barcode.resize((barcode.width, 110))
            image.paste(barcode, (width - barcode.width - 30, height - barcode.height - 30))
            ean = _barcode(label.ean, zxingcpp.BarcodeFormat.EAN13, 3, height=90)
            image.paste(ean, (width - ean.width - 30, 150))
        else:
            image.paste(barcode, (width - barcode.width - 40, 150))
            ean = _barcode(label.ean, zxingcpp.BarcodeFormat.EAN13, 3, height=90)
            image.paste(ean, (width - ean.width - 30, height - ean.height - 30))
    return image


def _barcode(payload: str, symbology: zxingcpp.BarcodeFormat, scale: int,
             height: int | None = None) -> Image.Image:
    drawn = zxingcpp.create_barcode(payload, symbology).to_image(scale=scale,
                                                                 add_quiet_zones=True)
    view = memoryview(drawn)  # type: ignore[arg-type]  # zxingcpp.Image is a buffer
    height_px, width_px = view.shape or (0, 0)
    image = Image.frombuffer("L", (width_px, height_px), view.tobytes(), "raw", "L", 0, 1)
    return image.resize((image.width, height)) if height else image


def photograph(labels: list[Label], degradation: Degradation, seed: int = 0) -> bytes:
    """A JPEG phone photo of the labels side by side on a grey surface."""
    rng = random.Random(seed)
    # Each label and its outline (the paste mask) get the same corners.
    drawn = [_in_perspective(draw_label(label), degradation.perspective,
                             random.Random(f"{seed}/{index}"))
             for index, label in enumerate(labels)]
    shapes = [_in_perspective(Image.new("L", LABEL_SIZE, 255), degradation.perspective,
                              random.Random(f"{seed}/{index}")) for index in range(len(labels))]
    strip = Image.new("L", (sum(d.width for d in drawn) + 60 * (len(drawn) - 1),
                            max(d.height for d in drawn)), 0)
    mask = Image.new("L", strip.size, 0)
    x = 0
    for part, shape in zip(drawn, shapes, strict=True):
        strip.paste(part, (x, 0))
        mask.paste(shape, (x, 0))
        x += part.width + 60
    strip = strip.rotate(degradation.rotation, resample=Image.Resampling.BICUBIC, expand=True)
    mask = mask.rotate(degradation.rotation, resample=Image.Resampling.BICUBIC, expand=True)
    photo_size = (PHOTO_SIZE[0] * len(labels), PHOTO_SIZE[1]) if len(labels) > 1 else PHOTO_SIZE
    scale = min(0.92 * photo_size[0] / strip.width, 0.92 * photo_size[1] / strip.height)
    size = (int(strip.width * scale), int(strip.height * scale))
    strip = strip.resize(size, Image.Resampling.LANCZOS)
    mask = mask.resize(size, Image.Resampling.BILINEAR)
    photo = Image.new("L", photo_size, rng.randint(90, 150))
    photo.paste(strip, ((photo_size[0] - size[0]) // 2, (photo_size[1] - size[1]) // 2), mask)
    if degradation.light:
        photo = ImageChops.multiply(photo, _shade(photo_size, degradation.light, rng))
    if degradation.blur:
        photo = photo.filter(ImageFilter.GaussianBlur(degradation.blur))
    if degradation.noise:
        # From the seeded generator (Image.effect_noise is not seeded): the same photo each time.
        noise = Image.frombytes("L", photo_size, rng.randbytes(photo_size[0] * photo_size[1]))
        photo = Image.blend(photo, noise, degradation.noise)
    out = io.BytesIO()
    photo.convert("RGB").save(out, "JPEG", quality=degradation.quality)
    return out.getvalue()


def _shade(size: tuple[int, int], strength: float, rng: random.Random) -> Image.Image:
    """Light falling from one side: the far side ``strength`` darker."""
    gradient = Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize(size)
    low = int(255 * (1 - strength))
    return gradient.point(lambda v: low + (255 - low) * v // 255)


def _in_perspective(label: Image.Image, amount: float, rng: random.Random) -> Image.Image:
    """The label seen slightly from the side: its corners moved by up to ``amount``."""
    if not amount:
        return label
    w, h = label.size
    d = amount * w
    corners = [(rng.uniform(0, d), rng.uniform(0, d)),
               (w - rng.uniform(0, d), rng.uniform(0, d)),
               (w - rng.uniform(0, d), h - rng.uniform(0, d)),
               (rng.uniform(0, d), h - rng.uniform(0, d))]
    source = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]
    coefficients = _perspective_coefficients(corners, source)
    return label.transform((w, h), Image.Transform.PERSPECTIVE, coefficients,
                           Image.Resampling.BICUBIC, fillcolor=0)


def _perspective_coefficients(target: list[tuple[float, float]],
                              source: list[tuple[float, float]]) -> tuple[float, ...]:
    """Pillow's 8 coefficients mapping output pixels ``target`` to input pixels ``source``."""
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    n = 8
    for col in range(n):  # Gauss-Jordan elimination with partial pivoting
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return tuple(rows[i][n] / rows[i][i] for i in range(n))


def sample_labels(symbologies: tuple[Symbology, ...], count: int,
                  seed: str) -> list[tuple[Label, Degradation]]:
    """``count`` labels with random serials and photo degradations, the same for a seed.

    Nothing is drawn yet (drawing is the slow part): ``photograph([label], degradation,
    seed=index)`` makes photo ``index``.
    """
    rng = random.Random(seed)
    samples = []
    for index in range(count):
        label = Label(str(rng.randint(3_000_000_001, 3_999_999_999)),
                      symbology=symbologies[index % len(symbologies)],
                      part_number=f"{rng.randint(100000, 999999)}-00.01")
        samples.append((label, Degradation.random(rng)))
    return samples
