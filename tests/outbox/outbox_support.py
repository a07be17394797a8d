"""Helpers shared by the outbox tests (fixtures live in conftest.py).

Test modules import from here, never from ``conftest``: several test folders have a
``conftest`` module and which one ``import conftest`` finds depends on collection order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.mail.outbound import MailIdentity
from bot.sandbox_mail import CollectingHandler
from storage.outbox import StatusChange, notify_status_changes
from storage.tables import OutboxMessage
from storage.uow import UnitOfWork

SECRET = "outbox-test-secret-" + "s" * 32
IDENTITY = MailIdentity(sender="cashback@cashback.example",
                        reply_mailbox="replies@cashback.example", secret=SECRET)
FRENCH, ITALIAN, SILENT = "C-100", "C-300", "C-400"
FRENCH_EMAILS = ("office@installer.example", "boss@installer.example")
ITALIAN_EMAILS = ("info@rossi.example",)



class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now



def change(serial: str, status: str = "pending_payment", *, reference: str | None = None,
           due_on: date | None = None) -> StatusChange:
    """One device's change, as a use case would queue it."""
    return StatusChange(registration_id=1, serial=serial, product_code="STP-SE",
                        from_status=None, to_status=status, amount_cents=10000,
                        reason="audit_sample" if status == "info_required" else None,
                        due_on=due_on, reference=reference)


def queue(engine: Engine, company_id: int, changes: Sequence[StatusChange], now: datetime,
          topic: str = "status_changed") -> None:
    """One e-mail row and one chat row, committed like a use case does."""
    with UnitOfWork(engine) as uow:
        notify_status_changes(uow.session, company_id=company_id, changes=changes, now=now,
                              topic=topic)
        uow.commit()


def outbox(engine: Engine, kind: str | None = "email") -> list[OutboxMessage]:
    """The outbox rows (of one kind), oldest first, freshly read."""
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.exec(query))


def received_ids(handler: CollectingHandler) -> Counter[str]:
    """How many times the server received each Message-ID."""
    return Counter(str(item.message["Message-ID"]) for item in handler.received)
