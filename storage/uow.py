"""One use case, one transaction: the unit of work every service function runs in."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlmodel import Session

from storage.db import READ_ONLY


class UnitOfWork:
    """A session that commits only when told to and rolls back on any exception.

    Usage: ``with UnitOfWork(engine) as uow: ...; uow.commit()``. Leaving the block without
    commit discards everything, so a crash inside a use case never leaves half of it behind.
    ``read_only=True`` is for use cases that only read: on SQLite they then do not take the
    write lock (see ``storage.db``); writing in one is an error there.
    """

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        self._session: Session | None = None
        self.committed = False

    @property
    def session(self) -> Session:
        """The open session; only valid inside the ``with`` block."""
        if self._session is None:
            raise RuntimeError("unit of work used outside its with-block")
        return self._session

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: some statements differ."""
        return self.engine.dialect.name

    def __enter__(self) -> UnitOfWork:
        bind = self.engine.execution_options(**{READ_ONLY: True}) if self.read_only \
            else self.engine
        self._session = Session(bind, expire_on_commit=False)
        self.committed = False
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self._session is not None
        # close() rolls back whatever was not committed and detaches loaded rows without
        # expiring them, so callers can still read what the use case returned.
        self._session.close()
        self._session = None

    def commit(self) -> None:
        """Make everything written in this unit of work permanent, at once."""
        self.session.commit()
        self.committed = True

    def rollback(self) -> None:
        """Discard what was written so far (e.g. to retry after a lost race)."""
        self.session.rollback()
