"""CSV as installers' spreadsheets save it, separators and encodings included.

``;`` in France and Italy, ``,`` elsewhere, tabs from "Unicode text"; UTF-8 with or without
BOM, UTF-16, or Windows-1252.

The separator is not guessed from statistics (``csv.Sniffer`` is easily fooled by dates and
decimal commas): each candidate splitting is offered as a table and the one whose header row
names the most known columns wins.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from core.template.errors import TemplateError, TemplateErrorCode
from core.template.tables import RawRow, Table

DELIMITERS = (";", ",", "\t")  # order breaks ties: ";" is what French and Italian Excel write


def decode_text(data: bytes) -> str:
    """The text of a CSV file, from a byte-order mark, from UTF-8, or else Windows-1252.

    Windows-1252 is the last resort because it accepts (almost) any bytes: French and Italian
    Excel on Windows saves "CSV (separator: semicolon)" in it.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", "replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", "replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    if "\x00" in text:
        raise TemplateError(TemplateErrorCode.UNSUPPORTED_FORMAT, "binary data, not text")
    if not text.strip():
        raise TemplateError(TemplateErrorCode.EMPTY, "blank text file")
    return text


@dataclass(frozen=True)
class CsvTable:
    """The text split with one separator; quoted fields may hold separators and line breaks."""

    text: str
    delimiter: str

    @property
    def name(self) -> str | None:
        """CSV files have no sheet name."""
        return None

    def rows(self) -> Iterator[RawRow]:
        """Records numbered as a spreadsheet opening the file would number them."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        try:
            for number, record in enumerate(reader, start=1):
                yield number, tuple(field if field.strip() else None for field in record)
        except csv.Error as error:
            raise TemplateError(TemplateErrorCode.CORRUPT, f"CSV: {error}") from error


def csv_tables(text: str) -> list[Table]:
    """One candidate table per separator."""
    return [CsvTable(text, delimiter) for delimiter in DELIMITERS]
