"""What kind of file arrived, judged by its first bytes rather than by its name.

Installers rename files, phones add ``.csv`` to anything, and an old ``.xls`` saved as
``.xlsx`` is still an old ``.xls``: the content decides, the name only breaks ties for text.
"""

from __future__ import annotations

from enum import StrEnum

from core.template.errors import TemplateError, TemplateErrorCode

_ZIP = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Office puts an encrypted .xlsx in an OLE container with these streams (MS-OFFCRYPTO).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_NOT_SPREADSHEETS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf",
                     b"\x1f\x8b", b"BZh")


class FileKind(StrEnum):
    """The two shapes the reader understands."""

    WORKBOOK = "workbook"  # a zip: .xlsx, .xlsm (an .ods is refused when the zip is opened)
    TEXT = "text"  # .csv, .txt, or anything else that may be delimited text


def detect(data: bytes, filename: str) -> FileKind:
    """The kind of ``data``, or a :class:`TemplateError` saying why it cannot be read."""
    name = filename.lower().strip()
    if data.startswith(_OLE):
        raise _ole_error(data)
    if data.startswith((_ZIP, _EMPTY_ZIP)):
        return FileKind.WORKBOOK
    if data.startswith(_NOT_SPREADSHEETS):
        raise TemplateError(TemplateErrorCode.UNSUPPORTED_FORMAT, "not a spreadsheet")
    if name.endswith((".xlsx", ".xlsm", ".xltx", ".xltm")):
        raise TemplateError(TemplateErrorCode.CORRUPT, "workbook name but not a zip")
    if name.endswith(".xls"):
        raise TemplateError(TemplateErrorCode.UNSUPPORTED_XLS, "xls name, not an OLE file")
    if name.endswith((".ods", ".fods")):
        raise TemplateError(TemplateErrorCode.UNSUPPORTED_ODS, "ods name, not a zip")
    return FileKind.TEXT


def _ole_error(data: bytes) -> TemplateError:
    """An OLE compound file is either a legacy workbook or a password-protected .xlsx."""
    if _ENCRYPTED_STREAM in data:
        return TemplateError(TemplateErrorCode.ENCRYPTED, "OLE container with EncryptedPackage")
    if any(stream in data for stream in _XLS_STREAMS):
        return TemplateError(TemplateErrorCode.UNSUPPORTED_XLS, "legacy BIFF workbook")
    return TemplateError(TemplateErrorCode.UNSUPPORTED_FORMAT, "OLE file, not a workbook")
