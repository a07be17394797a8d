"""A named lock across processes: a PostgreSQL advisory lock, held for a block of work.

Used where two workers doing the same work at once would be correct but wasteful (two reply
pollers fetching and parsing the same new messages, one of them only to find them recorded
by the other). The lock lives on a connection of its own and dies with it, so a worker that
crashes never leaves it taken. SQLite needs none: its writers already queue at
``BEGIN IMMEDIATE`` and the records stay unique either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """Wait until no other process holds ``name``, then hold it for the block."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        key = {"name": name}
        connection.execute(text("SELECT pg_advisory_lock(hashtextextended(:name, 0))"), key)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(hashtextextended(:name, 0))"),
                               key)
            connection.commit()
