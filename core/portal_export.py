"""Reading the Sunny Portal's daily export (CSV or JSON) into rows, or why a row is broken.

One bad row never stops the others: it becomes a :class:`BrokenRow` with its reason, and the
operator reads it in the import's report. Only a file that is not an export at all (not
JSON, no header, a required column missing) is refused as a whole.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from core.i18n import N_, LocalizedError
from core.serials import normalise_serial

# The export's columns, in the README's words; headers are matched case-insensitively.
COLUMNS = ("portal_user", "customer_number", "customer_number_entered_at", "plant", "serial",
           "product", "device_added_at", "commissioned_on")
REQUIRED = ("portal_user", "customer_number", "customer_number_entered_at", "serial", "product",
            "device_added_at")
ALIASES = {
    "portal_user": ("user", "username", "login"),
    "customer_number": ("customer number", "sma customer number"),
    "customer_number_entered_at": ("customer number entered at", "customer_number_entered_on"),
    "plant": ("plant name", "plant_id", "installation"),
    "serial": ("serial number", "serial_number", "sn"),
    "product": ("product code", "product_code", "device type"),
    "device_added_at": ("device added at", "device_added_on", "added_at"),
    "commissioned_on": ("commissioning date", "commissioning_date", "commissioned_at"),
}
_HEADER = {alias: name for name, names in ALIASES.items() for alias in (name, *names)}


class PortalExportError(LocalizedError, ValueError):
    """The file as a whole is not a portal export; nothing of it was imported."""


class RowDefect(StrEnum):
    """Why one row of the export could not be read."""

    NOT_AN_OBJECT = "not_an_object"
    SERIAL_MISSING = "serial_missing"
    PRODUCT_MISSING = "product_missing"
    ADDED_DATE_INVALID = "added_date_invalid"
    ENTERED_DATE_INVALID = "entered_date_invalid"
    COMMISSIONING_DATE_INVALID = "commissioning_date_invalid"


@dataclass(frozen=True)
class Moment:
    """A day, and the time on it when the export gives one.

    "Added after the number was entered" compares times when both have one; with a day alone
    on either side, the same day counts as after (the portal cannot say otherwise).
    """

    day: date
    at: datetime | None = None

    def not_before(self, other: Moment) -> bool:
        """Whether this moment is the same as or later than ``other``."""
        if self.at is not None and other.at is not None \
                and (self.at.tzinfo is None) == (other.at.tzinfo is None):
            return self.at >= other.at
        return self.day >= other.day


@dataclass(frozen=True)
class PortalRow:
    """One device of one portal user's plant, as the export lists it."""

    row_number: int
    portal_user: str
    customer_number: str
    number_entered: Moment | None
    plant: str
    serial: str
    product: str
    added: Moment
    commissioned_on: date | None


@dataclass(frozen=True)
class BrokenRow:
    """A row that could not be read; kept for the operator with what could be read of it."""

    row_number: int
    defect: RowDefect
    portal_user: str = ""
    customer_number: str = ""
    plant: str = ""
    serial: str = ""


@dataclass(frozen=True)
class PortalExport:
    """Every row of one export file, readable or not, in file order."""

    rows: tuple[PortalRow, ...]
    broken: tuple[BrokenRow, ...]


def read_export(data: bytes, filename: str) -> PortalExport:
    """Rows of a CSV (``;``, ``,`` or tab) or JSON export; JSON when the name or content says."""
    text = _decode(data)
    if filename.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{"):
        return _rows(_json_records(text))
    return _rows(_csv_records(text))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _json_records(text: str) -> Iterable[tuple[int, Any]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PortalExportError(N_("The portal export is not valid JSON: %(error)s"),
                                error=str(error)) from None
    if isinstance(document, dict):
        document = document.get("devices")
    if not isinstance(document, list):
        raise PortalExportError(N_("The portal export must be a JSON list of devices, or an "
                                   "object with a \"devices\" list."))
    records = []
    for number, item in enumerate(document, start=1):
        if isinstance(item, dict):
            item = {_HEADER.get(str(k).strip().lower()): v for k, v in item.items()}
        records.append((number, item))
    _check_columns({k for _, item in records if isinstance(item, dict) for k in item}
                   if records else set(REQUIRED), [])
    return records


def _csv_records(text: str) -> Iterable[tuple[int, Any]]:
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise PortalExportError(N_("The portal export is empty."))
    keys = [_HEADER.get(cell.strip().lower()) for cell in header]
    _check_columns(set(keys), header)
    return ((number, {key: cell for key, cell in zip(keys, cells, strict=False) if key})
            for number, cells in enumerate(reader, start=2) if any(c.strip() for c in cells))


def _check_columns(found: set[str | None], header: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise PortalExportError(N_("The portal export lacks the column(s) %(missing)s; found "
                                   "%(found)s."), missing=", ".join(missing),
                                found=", ".join(h.strip() for h in header) or "-")


def _rows(records: Iterable[tuple[int, Any]]) -> PortalExport:
    rows: list[PortalRow] = []
    broken: list[BrokenRow] = []
    for number, record in records:
        row = _row(number, record)
        if isinstance(row, PortalRow):
            rows.append(row)
        else:
            broken.append(row)
    return PortalExport(tuple(rows), tuple(broken))


def _row(number: int, record: Any) -> PortalRow | BrokenRow:
    if not isinstance(record, dict):
        return BrokenRow(number, RowDefect.NOT_AN_OBJECT)
    user, customer = _text(record, "portal_user"), _text(record, "customer_number")
    plant, raw_serial = _text(record, "plant"), record.get("serial")
    serial = normalise_serial(raw_serial)[:64] if raw_serial not in (None, "") else ""

    def broken(defect: RowDefect) -> BrokenRow:
        return BrokenRow(number, defect, user, customer, plant, serial)

    if not serial:
        return broken(RowDefect.SERIAL_MISSING)
    product = _text(record, "product")
    if not product:
        return broken(RowDefect.PRODUCT_MISSING)
    added = _moment(record.get("device_added_at"))
    if added is None:
        return broken(RowDefect.ADDED_DATE_INVALID)
    entered = _moment(record.get("customer_number_entered_at"))
    if customer and entered is None:
        return broken(RowDefect.ENTERED_DATE_INVALID)
    commissioned_raw = record.get("commissioned_on")
    commissioned = _moment(commissioned_raw)
    if commissioned is None and commissioned_raw not in (None, ""):
        return broken(RowDefect.COMMISSIONING_DATE_INVALID)
    return PortalRow(number, user, customer, entered, plant, serial, product, added,
                     commissioned.day if commissioned else None)


def _text(record: Mapping[str | None, Any], key: str) -> str:
    value = record.get(key)
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()[:200]


def _moment(value: Any) -> Moment | None:
    """``yyyy-mm-dd``, an ISO date-time (with or without zone), ``dd/mm/yyyy`` or ``dd.mm.yyyy``."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _parse_moment(value.strip())


@lru_cache(maxsize=8192)
def _parse_moment(text: str) -> Moment | None:
    # An export repeats the same few hundred days a hundred thousand times.
    try:
        if len(text) == 10 and text[4] == "-":
            return Moment(date.fromisoformat(text))
        if len(text) > 10 and text[4] == "-":
            at = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return Moment(at.date(), at)
        for pattern in ("%d/%m/%Y", "%d.%m.%Y"):
            try:
                return Moment(datetime.strptime(text[:10], pattern).date())
            except ValueError:
                continue
    except ValueError:
        return None
    return None
