"""Label photos generated for the tests: drawn with Pillow, degraded like phone photos."""

from __future__ import annotations

import shutil

import pytest
from shipped_campaigns import load_campaign

from bot.label_reading import Tesseract
from core.campaign import Campaign
from core.labels import TextReader


@pytest.fixture(scope="session")
def fr_campaign() -> Campaign:
    return load_campaign("fr-2026")


@pytest.fixture(scope="session")
def tesseract() -> TextReader:
    """The real OCR program: CI installs it (.ci/run), so these tests never skip silently."""
    found = shutil.which("tesseract")
    assert found, "tesseract is not installed: apt-get install tesseract-ocr (.ci/run does)"
    return Tesseract(found)
