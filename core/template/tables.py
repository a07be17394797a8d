"""A table is rows of cell values with the row numbers the installer sees, whatever the file.

Workbook sheets and the ways of splitting a CSV are both tables, so that finding the header
and reading the rows is written once. A table can be read more than once: the reader peeks at
the first rows of every candidate, then reads the best one from the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from core.template.safety import CellValue

# (row number as the spreadsheet shows it, 1-based; the row's cells from column A)
RawRow = tuple[int, tuple[CellValue, ...]]


class Table(Protocol):
    """One sheet of a workbook, or a CSV file split with one separator."""

    @property
    def name(self) -> str | None:
        """The sheet's name, or None for a CSV file."""
        ...

    def rows(self) -> Iterator[RawRow]:
        """The rows from the first one, each call starting again."""
        ...


def is_blank(value: CellValue) -> bool:
    """An empty cell, or one holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())
