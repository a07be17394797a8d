"""Where each chat user is in a conversation, kept in the database.

Process memory would forget a half-finished registration at every restart, and a second bot
process behind the webhook would not know it at all. The state is a short name (``"register:
product"``) and a small JSON object of what was collected so far.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, select

from storage.tables import ChatConversation
from storage.uow import UnitOfWork

# A conversation left alone this long is forgotten: the user has moved on.
STALE_AFTER = timedelta(hours=24)
IDLE = ""


@dataclass(frozen=True)
class Conversation:
    """A state name (empty when idle) and the data gathered in it."""

    state: str = IDLE
    data: dict[str, Any] = field(default_factory=dict)


def load_conversation(session: Session, *, chat_user_id: int, now: datetime) -> Conversation:
    """The user's current conversation, or idle if none or too old."""
    row = session.exec(select(ChatConversation)
                       .where(ChatConversation.chat_user_id == chat_user_id)).first()
    if row is None or row.updated_at + STALE_AFTER < now:
        return Conversation()
    data = json.loads(row.data)
    return Conversation(row.state, data if isinstance(data, dict) else {})


def save_conversation(uow: UnitOfWork, *, chat_user_id: int, conversation: Conversation,
                      now: datetime) -> None:
    """Remember where the user is; idle removes the row."""
    if conversation.state == IDLE:
        uow.session.execute(delete(ChatConversation)
                            .where(col(ChatConversation.chat_user_id) == chat_user_id))
        uow.commit()
        return
    row = uow.session.exec(select(ChatConversation)
                           .where(ChatConversation.chat_user_id == chat_user_id)).first()
    if row is None:
        row = ChatConversation(chat_user_id=chat_user_id, state="", data="{}", updated_at=now)
    row.state = conversation.state
    row.data = json.dumps(conversation.data, default=str)
    row.updated_at = now
    uow.session.add(row)
    uow.commit()
