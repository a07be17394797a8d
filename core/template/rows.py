"""What the reader hands over: one parsed row per device, and the file they came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from core.eligibility import Claim, CompanyFacts
from core.statuses import Channel
from core.template.fields import Field
from core.template.problems import RowProblem
from core.template.safety import CellValue


class ParsedRow(NamedTuple):
    """One device row, read but not yet judged.

    A named tuple (immutable, and built three times faster than a frozen dataclass of
    eleven fields): an upload has up to 100,000 of them.

    Attributes:
        row_number: the row as the installer sees it in the spreadsheet (1-based), so that
            answers can say "row 12".
        raw_serial: the serial cell as written (a number cell shows as ``3012345678.0``).
        serial: the serial normalised by :func:`core.serials.normalise_serial`.
        product_code: the campaign product recognised, or None.
        installed_on: the installation day, or None.
        problem: why the row cannot become a claim, or None when it can.
        cells: the row's original cells, to give the installer's row back with a result.
    """

    row_number: int
    raw_serial: str
    serial: str
    product_code: str | None
    installed_on: date | None
    problem: RowProblem | None = None
    raw_product: str = ""
    raw_date: str = ""
    postcode: str = ""
    note: str = ""
    cells: tuple[CellValue, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the row can be judged by the campaign rules."""
        return self.problem is None

    def claim(self, *, company: CompanyFacts, registered_at: datetime) -> Claim:
        """The claim this row makes for ``company``, received at ``registered_at``.

        Raises:
            ValueError: the row has a problem; report it instead of judging it.
        """
        if self.problem is not None or self.installed_on is None:
            raise ValueError(f"row {self.row_number} cannot be claimed: {self.problem}")
        return Claim(company=company, serial=self.serial, declared_product=self.product_code,
                     installed_on=self.installed_on, registered_at=registered_at,
                     channel=Channel.TEMPLATE)


@dataclass(frozen=True)
class ReadResult:
    """The device rows of an upload, with where they were found.

    Attributes:
        rows: the non-blank rows after the header, in file order.
        header: the header row's cells as text ("" for an empty cell).
        header_row: the header's row number (1-based).
        columns: the column (0-based) of each recognised field.
        sheet: the worksheet read, or None for a CSV file.
    """

    rows: tuple[ParsedRow, ...]
    header: tuple[str, ...]
    header_row: int
    columns: Mapping[Field, int]
    sheet: str | None = None

    @property
    def valid(self) -> tuple[ParsedRow, ...]:
        """Rows the campaign rules can judge."""
        return tuple(row for row in self.rows if row.ok)

    @property
    def with_problems(self) -> tuple[ParsedRow, ...]:
        """Rows the installer must correct."""
        return tuple(row for row in self.rows if not row.ok)
