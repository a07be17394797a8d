"""Hostile or useless images are refused before they can exhaust memory."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from label_cases import make_case
from PIL import Image

from core.campaign import Campaign
from core.labels import ImageLimits, UnreadableImage, read_label
from core.masterdata import NoMasterData


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb's first bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def read(data: bytes, campaign: Campaign, limits: ImageLimits | None = None) -> str:
    with pytest.raises(UnreadableImage) as error:
        read_label(data, campaign=campaign, masterdata=NoMasterData(),
                   limits=limits or ImageLimits())
    return error.value.message


def test_a_header_claiming_too_many_pixels_is_refused_before_decoding(
        fr_campaign: Campaign) -> None:
    assert "pixels" in read(png_header_claiming(100_000, 100_000), fr_campaign)
    assert "pixels" in read(png_header_claiming(9_000, 9_000), fr_campaign)


def test_a_file_too_large_is_refused_before_parsing(fr_campaign: Campaign) -> None:
    assert "too large" in read(b"\xff\xd8\xff" + b"\x00" * 2048, fr_campaign,
                               ImageLimits(max_bytes=1024))


@pytest.mark.parametrize("data", [
    b"", b"%PDF-1.7 not an image", b"\x89PNG\r\n\x1a\n truncated", b"\xff\xd8\xff\xe0 broken",
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
])
def test_what_is_not_a_jpeg_png_or_webp_is_refused(data: bytes, fr_campaign: Campaign) -> None:
    assert "not a JPEG" in read(data, fr_campaign)


def test_a_truncated_jpeg_is_refused(fr_campaign: Campaign) -> None:
    photo = make_case(0, "code128").photo
    assert "not a JPEG" in read(photo[: len(photo) // 3], fr_campaign)


def test_a_large_photo_is_read_at_the_working_size(fr_campaign: Campaign) -> None:
    case = make_case(1, "code128")
    big = io.BytesIO()
    Image.open(io.BytesIO(case.photo)).resize((4800, 3600)).save(big, "JPEG", quality=80)

    reading = read_label(big.getvalue(), campaign=fr_campaign, masterdata=NoMasterData())

    assert [c.serial for c in reading.candidates] == case.serials


def test_a_png_label_sent_as_a_file_is_read(fr_campaign: Campaign) -> None:
    case = make_case(2, "datamatrix")
    png = io.BytesIO()
    Image.open(io.BytesIO(case.photo)).save(png, "PNG")
    reading = read_label(png.getvalue(), campaign=fr_campaign, masterdata=NoMasterData())
    assert [c.serial for c in reading.candidates] == case.serials
