"""Looking inside a workbook's zip before any XML parser sees it.

An ``.xlsx`` is a zip of XML parts, which makes three cheap attacks possible: a zip bomb
(a few kilobytes unpacking to gigabytes), an XML entity expansion ("billion laughs") and a
worksheet declaring absurd dimensions so that a reader pads billions of empty cells. All three
are refused here from the zip's directory and the first bytes of each part, without unpacking
anything whole. Declared sizes can be trusted: :mod:`zipfile` stops at the declared size and
fails the CRC check if a part lies about it.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

from core.template.errors import TemplateError, TemplateErrorCode
from core.template.limits import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, Limits

_EOCD = b"PK\x05\x06"
_EOCD_SEARCH = 22 + 65_535  # the record, plus the longest possible zip comment
_ZIP64_ENTRY_COUNT = 0xFFFF
_ODF_MIMETYPE = b"application/vnd.oasis.opendocument"
_WORKBOOK_CONTENT_TYPES = (b"spreadsheetml.sheet.main", b"spreadsheetml.template.main",
                           b"ms-excel.sheet.macroEnabled.main",
                           b"ms-excel.template.macroEnabled.main")
# The XML declaration, comments and processing instructions come before the root element;
# a legitimate part has a few hundred bytes of them, never 64 KB.
_HEAD_BYTES = 64 * 1024
_PROLOGUE_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_DECLARATIONS = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_CELL_REF = re.compile(r"\$?([A-Za-z]*)\$?(\d*)")

_ZIP_FAILURES = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                 NotImplementedError, RuntimeError, struct.error, KeyError)


def inspect_archive(data: bytes, limits: Limits) -> None:
    """Refuse a zip that is not a workbook, or that would cost too much to open.

    Raises:
        TemplateError: UNSUPPORTED_ODS, UNSUPPORTED_FORMAT, CORRUPT, ENCRYPTED or
            UNSAFE_ARCHIVE.
    """
    _check_member_count(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except TemplateError:
        raise
    except _ZIP_FAILURES as error:
        raise TemplateError(TemplateErrorCode.CORRUPT, f"not a readable zip: {error}") from error
    try:
        with archive:
            infos = archive.infolist()
            _check_sizes(infos, limits)
            if any(info.flag_bits & 0x1 for info in infos):
                raise TemplateError(TemplateErrorCode.ENCRYPTED, "zip with encrypted parts")
            _check_kind(archive)
            for info in infos:
                _check_part(archive, info)
    except TemplateError:
        raise
    except _ZIP_FAILURES as error:
        raise TemplateError(TemplateErrorCode.CORRUPT, f"unreadable part: {error}") from error


def _check_member_count(data: bytes, limits: Limits) -> None:
    """Count parts from the end record, before :mod:`zipfile` builds an object for each."""
    end = data.rfind(_EOCD, max(0, len(data) - _EOCD_SEARCH))
    if end < 0 or end + 22 > len(data):
        raise TemplateError(TemplateErrorCode.CORRUPT, "no end of central directory")
    (entries,) = struct.unpack_from("<H", data, end + 10)
    if entries == _ZIP64_ENTRY_COUNT or entries > limits.max_archive_members:
        raise TemplateError(TemplateErrorCode.UNSAFE_ARCHIVE, f"{entries} parts in the zip")
    if entries == 0:
        raise TemplateError(TemplateErrorCode.CORRUPT, "empty zip")


def _check_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_compression_ratio:
            raise TemplateError(TemplateErrorCode.UNSAFE_ARCHIVE,
                                f"{info.filename} compressed {ratio:.0f} to 1")
    if total > limits.max_uncompressed_bytes:
        raise TemplateError(TemplateErrorCode.UNSAFE_ARCHIVE, f"unpacks to {total} bytes")


def _check_kind(archive: zipfile.ZipFile) -> None:
    """An OpenDocument file says so in its ``mimetype`` part; a workbook in its content types."""
    names = set(archive.namelist())
    if "mimetype" in names:
        with archive.open("mimetype") as part:
            if part.read(len(_ODF_MIMETYPE)) == _ODF_MIMETYPE:
                raise TemplateError(TemplateErrorCode.UNSUPPORTED_ODS, "OpenDocument")
    if "[Content_Types].xml" not in names:
        raise TemplateError(TemplateErrorCode.CORRUPT, "zip without [Content_Types].xml")
    with archive.open("[Content_Types].xml") as part:
        content_types = part.read(_HEAD_BYTES * 4)
    if not any(kind in content_types for kind in _WORKBOOK_CONTENT_TYPES):
        raise TemplateError(TemplateErrorCode.UNSUPPORTED_FORMAT, "an Office file, not a workbook")


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse DTDs (entity attacks) and absurd dimensions in any part that is XML."""
    if info.is_dir():
        return
    with archive.open(info) as part:
        head = part.read(_HEAD_BYTES)
    head = _as_utf8(head)
    if not head.lstrip().startswith(b"<"):
        return  # a picture or vbaProject.bin: no XML parser will read it
    if _DECLARATIONS.search(head):
        raise TemplateError(TemplateErrorCode.UNSAFE_ARCHIVE, f"DTD in {info.filename}")
    position = 0
    while match := _PROLOGUE_ITEM.match(head, position):
        position = match.end()
    if not _ROOT_START.match(head, position):
        raise TemplateError(TemplateErrorCode.UNSAFE_ARCHIVE,
                            f"no root element early in {info.filename}")
    if dimension := _DIMENSION.search(head):
        _check_dimension(dimension[1].decode("ascii", "replace"), info.filename)


def _as_utf8(head: bytes) -> bytes:
    """XML parts may be UTF-16 (the standard allows it); look at them as UTF-8."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf")


def _check_dimension(ref: str, part: str) -> None:
    for corner in ref.split(":"):
        match = _CELL_REF.fullmatch(corner.strip())
        if match is None:
            raise TemplateError(TemplateErrorCode.CORRUPT, f"dimension {ref!r} in {part}")
        letters, digits = match[1].upper(), match[2]
        if len(letters) > 3 or len(digits) > 7:
            raise TemplateError(TemplateErrorCode.UNSAFE_ARCHIVE, f"dimension {ref} in {part}")
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - ord("A") + 1
        if column > EXCEL_MAX_COLUMNS or (digits and int(digits) > EXCEL_MAX_ROWS):
            raise TemplateError(TemplateErrorCode.UNSAFE_ARCHIVE, f"dimension {ref} in {part}")
