"""Reading type labels for the chat and the command line: settings, master data and OCR.

OCR is the ``tesseract`` program, called directly: the image goes in on standard input and
the text comes back on standard output, with a time limit, no temporary files and no Python
wrapper to install. When the program is missing, OCR is simply off and barcodes still work.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess

from PIL import Image

from bot.bootstrap import App
from bot.render import product_name
from core.campaign import Campaign
from core.i18n import Translator
from core.labels import Candidate, ImageLimits, LabelReading, Source, TextReader, read_label
from storage.masterdata import DatabaseMasterData

# Page segmentation 6: one block of text, so "Serial No.:" and its number stay on one line.
TESSERACT_ARGS = ("--psm", "6", "-l", "eng")
TESSERACT_TIMEOUT_SECONDS = 30.0


class Tesseract:
    """A :data:`TextReader` running the tesseract program."""

    def __init__(self, executable: str) -> None:
        self.executable = executable

    def __call__(self, image: Image.Image) -> str:
        """The text tesseract reads in ``image`` (empty if it fails or takes too long)."""
        png = io.BytesIO()
        image.save(png, "PNG", compress_level=1)
        # One thread: on a busy server, OpenMP threads only compete with each other.
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(  # noqa: S603 - fixed program and arguments, no shell
                [self.executable, "stdin", "stdout", *TESSERACT_ARGS], input=png.getvalue(),
                capture_output=True, timeout=TESSERACT_TIMEOUT_SECONDS, env=env, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def text_reader(app: App) -> TextReader | None:
    """Tesseract when OCR is on and the program is installed, else None."""
    if not app.settings.labels_ocr:
        return None
    found = shutil.which(app.settings.labels_tesseract)
    return Tesseract(found) if found else None


def image_limits(app: App) -> ImageLimits:
    """The image bounds from the settings."""
    return ImageLimits(max_bytes=app.settings.labels_max_bytes,
                       max_pixels=app.settings.labels_max_megapixels * 1_000_000)


def read_photo(app: App, campaign: Campaign, image: bytes) -> LabelReading:
    """The serial candidates on a label photo, checked against master data (blocking)."""
    reader = text_reader(app)
    with app.uow() as uow:
        masterdata = DatabaseMasterData(uow.session)
        return read_label(image, campaign=campaign, masterdata=masterdata, read_text=reader,
                          barcodes=app.settings.labels_barcodes, limits=image_limits(app))


def candidate_text(candidate: Candidate, campaign: Campaign, t: Translator,
                   language: str) -> str:
    """One serial read from a label, as the installer or the operator reads it."""
    source = (t.gettext("barcode") if candidate.source is Source.BARCODE
              else t.gettext("printed text"))
    if candidate.product_code is not None:
        product = product_name(campaign, candidate.product_code, language)
    elif candidate.known is False:
        product = t.gettext("⚠️ not in the manufacturer's device list: please check it")
    else:
        product = t.gettext("product not checked (no device list)")
    return f"{candidate.serial} – {product} ({source})"
