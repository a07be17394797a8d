"""How much a single uploaded file may cost us: rows, bytes, and what a workbook may unpack to."""

from __future__ import annotations

from dataclasses import dataclass

# Telegram bots cannot download files above 20 MB, so nothing larger can legitimately arrive.
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024
# Excel's own grid: a worksheet declaring more than this was not written by a spreadsheet.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


@dataclass(frozen=True)
class Limits:
    """Bounds on one upload; every check that protects memory or CPU reads them from here.

    Attributes:
        max_rows: devices per file; a larger file must be split (one import stays one
            transaction of reasonable size).
        max_bytes: size of the file as received.
        max_uncompressed_bytes: total a workbook's zip may unpack to. A 10,000-row template
            unpacks to about 2 MB; this leaves room for formatting and pictures.
        max_compression_ratio: a part compressing better than this (and larger than
            ``ratio_floor_bytes``) is a zip bomb; real sheet XML compresses 5 to 30 times.
        ratio_floor_bytes: parts smaller than this are never judged by their ratio.
        max_archive_members: parts in a workbook's zip; real workbooks have a few dozen.
        max_columns: columns read per row; headers further right are not looked for.
    """

    max_rows: int = 10_000
    max_bytes: int = TELEGRAM_DOWNLOAD_LIMIT
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 200
    ratio_floor_bytes: int = 1024 * 1024
    max_archive_members: int = 2_000
    max_columns: int = 100


DEFAULT_LIMITS = Limits()
