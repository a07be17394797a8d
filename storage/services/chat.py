"""Chat users: who they are, which company they proved access to, and how they proved it.

A Telegram user sees a company's data only after proving access to the company's mailbox: they
give the customer number, a one-time code goes to the company's registered addresses through
the outbox, and they type it back. Codes expire, wrong attempts are counted and lock the user
out for a while; asking for a new code does not reset the count.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from storage.outbox import EMAIL
from storage.services.companies import company_emails
from storage.tables import ChatConversation, ChatLinkCode, ChatUser, Company, OutboxMessage
from storage.uow import UnitOfWork

LINK_CODE_TOPIC = "link_code"
LINK_CODE_LIFETIME = timedelta(minutes=15)
MAX_WRONG_ATTEMPTS = 5
LOCKOUT = timedelta(hours=1)
# A new code is not sent more than once a minute: each one is an e-mail to the company.
RESEND_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class LinkedCompany:
    """The company a chat user proved access to."""

    id: int
    customer_number: str
    name: str
    campaign_code: str


@dataclass(frozen=True)
class ChatProfile:
    """What a handler needs to know about the user writing to the bot."""

    chat_user_id: int
    telegram_user_id: int
    language: str
    notifications: bool
    company: LinkedCompany | None


def new_code() -> str:
    """A random six-digit code."""
    return f"{secrets.randbelow(10**6):06d}"


def _hash(chat_user_id: int, code: str) -> str:
    return hashlib.sha256(f"{chat_user_id}:{code}".encode()).hexdigest()


def profile(session: Session, user: ChatUser) -> ChatProfile:
    """The profile of a chat user row, with its company when verified."""
    company = None
    if user.verified and user.company_id is not None:
        row = session.get(Company, user.company_id)
        if row is not None and row.id is not None:
            company = LinkedCompany(row.id, row.customer_number, row.name, row.campaign_code)
    assert user.id is not None
    return ChatProfile(user.id, user.telegram_user_id, user.language, user.notifications, company)


def _user(session: Session, telegram_user_id: int) -> ChatUser | None:
    return session.exec(
        select(ChatUser).where(ChatUser.telegram_user_id == telegram_user_id)).first()


def chat_user(uow: UnitOfWork, *, telegram_user_id: int, language: str,
              now: datetime) -> ChatProfile:
    """The user's profile, created at first contact with the language Telegram reported."""
    user = _user(uow.session, telegram_user_id)
    if user is None:
        user = ChatUser(telegram_user_id=telegram_user_id, language=language, created_at=now)
        uow.session.add(user)
        try:
            uow.commit()
        except IntegrityError:
            # Another process created the same user a moment ago: use theirs.
            uow.rollback()
            user = _user(uow.session, telegram_user_id)
            assert user is not None
    return profile(uow.session, user)


def set_language(uow: UnitOfWork, *, telegram_user_id: int, language: str) -> None:
    """Change the language the bot speaks to this user."""
    user = _user(uow.session, telegram_user_id)
    if user is not None:
        user.language = language
        uow.session.add(user)
        uow.commit()


def set_notifications(uow: UnitOfWork, *, telegram_user_id: int, enabled: bool) -> None:
    """Mute or unmute status notifications in chat for this user."""
    user = _user(uow.session, telegram_user_id)
    if user is not None:
        user.notifications = enabled
        uow.session.add(user)
        uow.commit()


class LinkRequestOutcome(StrEnum):
    """What happened when a user gave a customer number."""

    CODE_SENT = "code_sent"
    NOT_ENROLLED = "not_enrolled"
    NO_ADDRESS = "no_address"
    LOCKED = "locked"
    TOO_SOON = "too_soon"


@dataclass(frozen=True)
class LinkRequest:
    """The answer to a customer number: a code on its way, or why not."""

    outcome: LinkRequestOutcome
    addresses: tuple[str, ...] = ()
    locked_until: datetime | None = None


def request_link_code(uow: UnitOfWork, *, chat_user_id: int, customer_number: str,
                      requested_by: str, now: datetime,
                      make_code: Callable[[], str] = new_code) -> LinkRequest:
    """E-mail a one-time code to the company's registered addresses (through the outbox)."""
    user = uow.session.get(ChatUser, chat_user_id)
    assert user is not None
    company = uow.session.exec(select(Company).where(
        Company.customer_number == customer_number.strip())).first()
    if company is None or not company.enrolled or company.id is None:
        return LinkRequest(LinkRequestOutcome.NOT_ENROLLED)
    pending = _pending(uow.session, chat_user_id)
    if pending is not None and pending.locked_until is not None:
        if pending.locked_until > now:
            return LinkRequest(LinkRequestOutcome.LOCKED, locked_until=pending.locked_until)
        pending.locked_until = None
        pending.attempts = 0
    if pending is not None and pending.company_id == company.id \
            and pending.created_at + RESEND_AFTER > now:
        return LinkRequest(LinkRequestOutcome.TOO_SOON)
    addresses = tuple(company_emails(uow, company.id))
    if not addresses:
        return LinkRequest(LinkRequestOutcome.NO_ADDRESS)
    code = make_code()
    if pending is None:
        pending = ChatLinkCode(chat_user_id=chat_user_id, company_id=company.id, code_hash="",
                               created_at=now, expires_at=now)
    pending.company_id = company.id
    pending.code_hash = _hash(chat_user_id, code)
    pending.created_at = now
    pending.expires_at = now + LINK_CODE_LIFETIME
    uow.session.add(pending)
    uow.session.add(OutboxMessage(
        kind=EMAIL, company_id=company.id, topic=LINK_CODE_TOPIC, created_at=now,
        next_attempt_at=now, payload=json.dumps({
            "code": code, "language": user.language,
            "minutes": int(LINK_CODE_LIFETIME.total_seconds() // 60),
            "expires_at": pending.expires_at.isoformat(), "requested_by": requested_by[:120]})))
    uow.commit()
    return LinkRequest(LinkRequestOutcome.CODE_SENT, addresses=addresses)


def _pending(session: Session, chat_user_id: int) -> ChatLinkCode | None:
    # Locked: two processes counting wrong attempts at once must not both read the same count.
    return session.exec(select(ChatLinkCode).where(ChatLinkCode.chat_user_id == chat_user_id)
                        .with_for_update()).first()


class LinkCheckOutcome(StrEnum):
    """What happened when a user typed a code."""

    LINKED = "linked"
    WRONG = "wrong"
    LOCKED = "locked"
    EXPIRED = "expired"
    NO_CODE = "no_code"


@dataclass(frozen=True)
class LinkCheck:
    """The answer to a typed code."""

    outcome: LinkCheckOutcome
    attempts_left: int = 0
    locked_until: datetime | None = None
    company: LinkedCompany | None = None


def check_link_code(uow: UnitOfWork, *, chat_user_id: int, code: str,
                    now: datetime) -> LinkCheck:
    """Link the user to the company if ``code`` is the one sent; count it if it is not."""
    pending = _pending(uow.session, chat_user_id)
    if pending is None:
        return LinkCheck(LinkCheckOutcome.NO_CODE)
    if pending.locked_until is not None and pending.locked_until > now:
        return LinkCheck(LinkCheckOutcome.LOCKED, locked_until=pending.locked_until)
    if pending.expires_at <= now:
        # Nothing to guess any more, so nothing to count: the user needs a new code.
        return LinkCheck(LinkCheckOutcome.EXPIRED)
    if not hmac.compare_digest(pending.code_hash, _hash(chat_user_id, code.strip())):
        pending.attempts += 1
        left = max(0, MAX_WRONG_ATTEMPTS - pending.attempts)
        if left == 0:
            pending.locked_until = now + LOCKOUT
        uow.session.add(pending)
        uow.commit()
        if left == 0:
            return LinkCheck(LinkCheckOutcome.LOCKED, locked_until=pending.locked_until)
        return LinkCheck(LinkCheckOutcome.WRONG, attempts_left=left)
    user = uow.session.get(ChatUser, chat_user_id)
    assert user is not None
    user.company_id = pending.company_id
    user.verified = True
    uow.session.add(user)
    uow.session.delete(pending)
    uow.commit()
    linked = profile(uow.session, user).company
    return LinkCheck(LinkCheckOutcome.LINKED, company=linked)


def unlink(uow: UnitOfWork, *, chat_user_id: int) -> bool:
    """Forget the user's company (and any pending code); True if they were linked."""
    user = uow.session.get(ChatUser, chat_user_id)
    if user is None:
        return False
    was_linked = user.verified and user.company_id is not None
    user.company_id = None
    user.verified = False
    uow.session.add(user)
    uow.session.execute(delete(ChatLinkCode).where(col(ChatLinkCode.chat_user_id) == user.id))
    uow.session.execute(delete(ChatConversation)
                        .where(col(ChatConversation.chat_user_id) == user.id))
    uow.commit()
    return was_linked


@dataclass(frozen=True)
class Recipient:
    """A chat user who receives a company's notifications."""

    telegram_user_id: int
    language: str


def chat_recipients(session: Session, company_id: int) -> list[Recipient]:
    """Every verified user of the company who has not muted notifications."""
    rows = session.exec(select(ChatUser.telegram_user_id, ChatUser.language).where(
        ChatUser.company_id == company_id, col(ChatUser.verified).is_(True),
        col(ChatUser.notifications).is_(True)).order_by(col(ChatUser.id)))
    return [Recipient(telegram_user_id, language) for telegram_user_id, language in rows]
