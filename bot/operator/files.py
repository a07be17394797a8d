"""The back office's CSV files (companies, master data, payments), read forgivingly.

Spreadsheets export with ``;`` in France and Italy, ``,`` elsewhere, in UTF-8 (with or without
BOM) or Windows-1252; headers may differ in case and spacing. A bad line stops the import with
its line number, because half an enrolment file is worse than none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from core.i18n import N_, LocalizedError


class OperatorFileError(LocalizedError, ValueError):
    """A file the operator must fix; names the file, the line and the problem."""


@dataclass(frozen=True)
class Line:
    """One data line, with the number an editor shows for it."""

    number: int
    values: Mapping[str, str]


def decode(data: bytes) -> str:
    """Text of a CSV file in UTF-8 (BOM or not) or, failing that, Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_lines(path: Path, columns: Mapping[str, Sequence[str]],
               required: Sequence[str]) -> Iterator[Line]:
    """Lines of ``path`` keyed by canonical column names (aliases in ``columns``)."""
    try:
        text = decode(path.read_bytes())
    except OSError as error:
        raise OperatorFileError(N_("%(file)s: cannot be read: %(error)s"), file=path,
                                error=error.strerror) from error
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise OperatorFileError(N_("%(file)s: the file is empty"), file=path)
    aliases = {alias.lower(): name for name, names in columns.items()
               for alias in (name, *names)}
    keys = [aliases.get(cell.strip().lower()) for cell in header]
    missing = [name for name in required if name not in keys]
    if missing:
        raise OperatorFileError(N_("%(file)s: missing column(s) %(missing)s; found %(found)s"),
                                file=path, missing=", ".join(missing),
                                found=", ".join(h.strip() for h in header))
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {key: cell.strip() for key, cell in zip(keys, row, strict=False) if key}
        for name in required:
            if not values.get(name):
                raise OperatorFileError(N_("%(file)s: line %(line)d: %(column)s is empty"),
                                        file=path, line=number, column=name)
        yield Line(number, values)


def parse_day(value: str, path: Path, number: int, column: str) -> date:
    """A date written ``yyyy-mm-dd``, ``dd/mm/yyyy`` or ``dd.mm.yyyy``."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    raise OperatorFileError(
        N_("%(file)s: line %(line)d: %(column)s %(value)s is not a date (use yyyy-mm-dd or "
           "dd/mm/yyyy)"), file=path, line=number, column=column, value=value)


def parse_flag(value: str | None, default: bool = True) -> bool:
    """yes/no, true/false, 1/0, oui/non, sì/no."""
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "yes", "y", "true", "oui", "si", "sì", "x"}
