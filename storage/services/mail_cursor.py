"""How far the reply poller got in each IMAP folder, under the folder's UIDVALIDITY."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.tables import MailboxCursor
from storage.uow import UnitOfWork


def last_uid(uow: UnitOfWork, *, mailbox: str, uidvalidity: int) -> int:
    """The highest UID already handled and moved; 0 for a folder (re)numbered since."""
    cursor = uow.session.exec(select(MailboxCursor).where(
        MailboxCursor.mailbox == mailbox, MailboxCursor.uidvalidity == uidvalidity)).first()
    return cursor.last_uid if cursor else 0


def advance(uow: UnitOfWork, *, mailbox: str, uidvalidity: int, uid: int,
            now: datetime) -> None:
    """Remember that every message up to ``uid`` is handled; never moves backwards."""
    cursor = uow.session.exec(select(MailboxCursor).where(
        MailboxCursor.mailbox == mailbox, MailboxCursor.uidvalidity == uidvalidity)
        .with_for_update()).first()
    if cursor is None:
        cursor = MailboxCursor(mailbox=mailbox, uidvalidity=uidvalidity, last_uid=uid,
                               updated_at=now)
    elif uid > cursor.last_uid:
        cursor.last_uid, cursor.updated_at = uid, now
    uow.session.add(cursor)
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()  # another poller created the row first; the next pass catches up
