"""Master data answered from the ``device`` table, in chunks the database accepts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TypeVar

from sqlalchemy import insert
from sqlmodel import Session, col, select

from core.masterdata import Device as DeviceFacts
from storage.serial_sets import SERIALS_PER_QUERY, among
from storage.tables import Device

T = TypeVar("T")
CHUNK = 500


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Slices of at most ``size`` items: IN lists and bulk inserts stay within limits."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class DatabaseMasterData:
    """core.masterdata.MasterData over the device table of one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._available: bool | None = None

    @property
    def available(self) -> bool:
        """A campaign runs without master data until a device list has been loaded."""
        if self._available is None:
            self._available = self.session.exec(select(Device.serial).limit(1)).first() is not None
        return self._available

    def lookup(self, serials: Iterable[str]) -> Mapping[str, DeviceFacts]:
        """The known devices among ``serials``."""
        found: dict[str, DeviceFacts] = {}
        connection = self.session.connection()
        for batch in chunked(dict.fromkeys(serials), SERIALS_PER_QUERY):
            # Columns, not entities, through Core: no ORM loading for 100,000 devices.
            for serial, product_code, produced in connection.execute(
                    select(Device.serial, Device.product_code, col(Device.production_date))
                    .where(among(self.session, col(Device.serial), batch))):
                found[serial] = DeviceFacts(serial, product_code, produced)
        return found


def load_devices(session: Session, devices: Sequence[DeviceFacts]) -> tuple[int, int]:
    """Insert new devices and update changed ones; returns (added, updated)."""
    existing = DatabaseMasterData(session).lookup(d.serial for d in devices)
    new = [d for d in {d.serial: d for d in devices}.values() if d.serial not in existing]
    changed = [d for d in devices if d.serial in existing and existing[d.serial] != d]
    for chunk in chunked(new, 5000):
        session.execute(insert(Device), [
            {"serial": d.serial, "product_code": d.product_code,
             "production_date": d.production_date} for d in chunk])
    for device in changed:
        row = session.get(Device, device.serial)
        assert row is not None
        row.product_code = device.product_code
        row.production_date = device.production_date
        session.add(row)
    return len(new), len(changed)
