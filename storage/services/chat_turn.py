"""What every chat update needs first: the user, their company and their conversation.

Every update a bot process handles begins here, so it is one SELECT of plain columns (the user
joined to their company and conversation) instead of three ORM look-ups, which can run in a
read-only unit of work; the user is created only at first contact. Any bot process can answer
any update: nothing is kept in memory.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, bindparam, select
from sqlmodel import Session, col

from storage.services.chat import ChatProfile, LinkedCompany, chat_user
from storage.services.chat_state import STALE_AFTER, Conversation, load_conversation
from storage.tables import ChatConversation, ChatUser, Company
from storage.uow import UnitOfWork

_COLUMNS = (ChatUser.id, ChatUser.language, ChatUser.notifications, Company.id,
            Company.customer_number, Company.name, Company.campaign_code,
            ChatConversation.state, ChatConversation.data, ChatConversation.updated_at)


# Built once: building a statement costs more CPU than SQLite takes to run it.
_TURN = (select(*(col(column) for column in _COLUMNS))
         .select_from(ChatUser)
         .outerjoin(Company, and_(col(Company.id) == ChatUser.company_id,
                                  col(ChatUser.verified).is_(True)))
         .outerjoin(ChatConversation, col(ChatConversation.chat_user_id) == ChatUser.id)
         .where(col(ChatUser.telegram_user_id) == bindparam("telegram_user_id")))


def known_turn(session: Session, *, telegram_user_id: int,
               now: datetime) -> tuple[ChatProfile, Conversation] | None:
    """The user's profile and conversation, or None at first contact (one SELECT)."""
    row = session.execute(_TURN, {"telegram_user_id": telegram_user_id}).first()
    if row is None:
        return None
    (user_id, user_language, notifications, company_id, customer_number, name,
     campaign_code, state, data, updated_at) = row
    company = None if company_id is None else LinkedCompany(company_id, customer_number, name,
                                                            campaign_code)
    profile = ChatProfile(user_id, telegram_user_id, user_language, notifications, company)
    if state is None or updated_at + STALE_AFTER < now:
        return profile, Conversation()
    gathered = json.loads(data)
    return profile, Conversation(state, gathered if isinstance(gathered, dict) else {})


def begin_turn(uow: UnitOfWork, *, telegram_user_id: int, language: str,
               now: datetime) -> tuple[ChatProfile, Conversation]:
    """The user's profile and conversation; the user is created at first contact."""
    found = known_turn(uow.session, telegram_user_id=telegram_user_id, now=now)
    if found is not None:
        return found
    profile = chat_user(uow, telegram_user_id=telegram_user_id, language=language, now=now)
    return profile, load_conversation(uow.session, chat_user_id=profile.chat_user_id, now=now)
