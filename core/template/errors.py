"""Why an uploaded file cannot be read at all, and what the installer should do about it."""

from __future__ import annotations

from enum import StrEnum

from core.i18n import N_, Translator, number


class TemplateErrorCode(StrEnum):
    """Whole-file problems; problems of single rows are :class:`RowProblem` members."""

    UNSUPPORTED_XLS = "unsupported_xls"
    UNSUPPORTED_ODS = "unsupported_ods"
    UNSUPPORTED_FORMAT = "unsupported_format"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    EMPTY = "empty"
    NO_HEADER = "no_header"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_LARGE = "too_large"
    UNSAFE_ARCHIVE = "unsafe_archive"


class TemplateError(ValueError):
    """A file that cannot be read; ``code`` decides the answer, ``detail`` is for the log.

    Attributes:
        code: what went wrong, as the installer will be told.
        limit: the limit that was exceeded (rows, or bytes), for TOO_MANY_ROWS and TOO_LARGE.
        detail: an English explanation for operators; never shown to installers.
    """

    def __init__(self, code: TemplateErrorCode, detail: str = "", *,
                 limit: int | None = None) -> None:
        self.code = code
        self.limit = limit
        self.detail = detail
        super().__init__(f"{code.value}: {detail}" if detail else code.value)


MESSAGES: dict[TemplateErrorCode, str] = {
    TemplateErrorCode.UNSUPPORTED_XLS: N_(
        "This is an old Excel file (.xls). Please save it as .xlsx or .csv and send it again."),
    TemplateErrorCode.UNSUPPORTED_ODS: N_(
        "This is an OpenDocument file (.ods). Please save it as .xlsx or .csv and send it "
        "again."),
    TemplateErrorCode.UNSUPPORTED_FORMAT: N_(
        "I can only read .xlsx or .csv files. Please send the template as .xlsx or .csv."),
    TemplateErrorCode.ENCRYPTED: N_(
        "This file is protected by a password. Please remove the password, save it and send "
        "it again."),
    TemplateErrorCode.CORRUPT: N_(
        "I could not open this file: it seems damaged. Please save it again as .xlsx or .csv "
        "and send it again."),
    TemplateErrorCode.EMPTY: N_(
        "The file contains no devices. Fill in one row per device and send it again."),
    TemplateErrorCode.NO_HEADER: N_(
        "I could not find the column headers (serial number, product, installation date). "
        "Please keep the template's header row and send the file again."),
    TemplateErrorCode.TOO_MANY_ROWS: N_(
        "The file has too many rows: at most %(limit)s devices per file. Please split it "
        "into several files."),
    TemplateErrorCode.TOO_LARGE: N_(
        "The file is too large: at most %(limit)s MB. Please remove pictures or split it "
        "into several files."),
    TemplateErrorCode.UNSAFE_ARCHIVE: N_(
        "This file has an unusual structure and cannot be read safely. Please copy your rows "
        "into a new template and send it again."),
}


def template_error_text(error: TemplateError, t: Translator, language: str = "en") -> str:
    """The installer-facing message for ``error``, saying what to do next.

    ``language`` formats the limit with the locale's grouping ("10 000" in French).
    """
    limit = error.limit or 0
    if error.code is TemplateErrorCode.TOO_LARGE:
        limit = limit // (1024 * 1024)
    return t.gettext(MESSAGES[error.code]) % {"limit": number(limit, language)}
