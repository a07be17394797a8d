"""One turn of a conversation: who wrote, in which language, where they are, how to answer.

Every handler starts with ``turn = await Turn.begin(update, context)``: the chat user is read
(or created at first contact) with their conversation state, in one database round trip, and
the answer helpers speak the user's language. Database work runs in a worker thread so one
user's slow query never stalls the others.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ExtBot

from bot.bootstrap import App
from bot.i18n import language_or_default, translator
from bot.observability.logs import bind
from core.campaign import Campaign
from core.i18n import Translator
from storage.services.chat import ChatProfile, LinkedCompany
from storage.services.chat_state import Conversation, save_conversation
from storage.services.chat_turn import begin_turn, known_turn

P = ParamSpec("P")
T = TypeVar("T")
Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data)
MAX_MESSAGE = 4000  # Telegram allows 4096 characters; leave room
POSTGRES_DATABASE_THREADS = 8


class Context(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with typed access to the assistant's wiring."""

    @property
    def cashback(self) -> App:
        """The application services (database, campaigns, clock)."""
        return cast(App, self.application.bot_data["app"])

    @property
    def database_threads(self) -> Executor:
        """Where blocking database work runs (see :func:`database_executor`)."""
        return cast(Executor, self.application.bot_data["database_threads"])


def database_executor(app: App) -> ThreadPoolExecutor:
    """Threads for the handlers' database work, off the event loop.

    SQLite has one writer at a time and every unit of work here starts with BEGIN IMMEDIATE,
    so several threads would only queue on the database lock, with SQLite's busy handler
    sleeping milliseconds between tries: one thread keeps that queue in Python instead.
    PostgreSQL serves several connections at once.
    """
    workers = 1 if app.engine.dialect.name == "sqlite" else POSTGRES_DATABASE_THREADS
    return ThreadPoolExecutor(workers, thread_name_prefix="chat-db")


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    """Inline buttons from rows of (label, callback data)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in buttons if row])


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Long answers in several messages, cut between paragraphs or lines."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n\n", 0, limit)
        cut = cut if cut > 0 else text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text.strip() else parts


@dataclass
class Turn:
    """The user, their state and the means to answer, for one update."""

    app: App
    update: Update
    context: Context
    profile: ChatProfile
    conversation: Conversation

    @classmethod
    async def begin(cls, update: Update, context: Context) -> Turn:
        """Load (or create) the user and their conversation."""
        app = context.cashback
        user = update.effective_user
        assert user is not None
        language = language_or_default(user.language_code)
        profile, conversation = await asyncio.get_running_loop().run_in_executor(
            context.database_threads, _load, app, user.id, language)
        if profile.company is not None:
            bind(company_id=profile.company.id)
        return cls(app, update, context, profile, conversation)

    @property
    def language(self) -> str:
        """The language the user reads."""
        return self.profile.language

    @property
    def t(self) -> Translator:
        """The user's catalog."""
        return translator(self.language)

    @property
    def company(self) -> LinkedCompany | None:
        """The company the user proved access to, if any."""
        return self.profile.company

    @property
    def campaign(self) -> Campaign:
        """The linked company's campaign (only call when linked)."""
        assert self.company is not None
        return self.app.campaign(self.company.campaign_code)

    @property
    def chat_id(self) -> int:
        """Where to answer."""
        assert self.update.effective_chat is not None
        return self.update.effective_chat.id

    def now(self) -> datetime:
        """The app's clock (tests move it)."""
        return self.app.clock()

    async def db(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking database work off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(
            self.context.database_threads, functools.partial(function, *args, **kwargs))

    async def reply(self, text: str, buttons: Buttons | None = None,
                  reply_to: int | None = None) -> Message:
        """Send ``text`` (split when long; buttons go with the last part)."""
        parts = split_text(text)
        sent: Message | None = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await self.context.bot.send_message(
                self.chat_id, part, reply_markup=keyboard(buttons) if last else None,
                reply_to_message_id=reply_to if index == 0 else None)
        assert sent is not None
        return sent

    async def show(self, text: str, buttons: Buttons | None = None) -> None:
        """Answer a button press by rewriting its message, or a message with a new one."""
        query = self.update.callback_query
        if query is None or not isinstance(query.message, Message) or len(text) > MAX_MESSAGE:
            await self.reply(text, buttons)
            return
        try:
            await query.message.edit_text(text, reply_markup=keyboard(buttons))
        except BadRequest as error:
            if "not modified" not in error.message:
                raise

    async def settle(self, notice: str | None = None) -> None:
        """Stop the spinner of the pressed button (with a short notice, if any)."""
        if self.update.callback_query is not None:
            await self.update.callback_query.answer(notice)

    async def require_company(self) -> bool:
        """True when linked; otherwise tell the user how to link and return False."""
        if self.company is not None:
            return True
        await self.settle()
        await self.reply(self.t.gettext(
            "First, link your company: send /link and your SMA customer number."))
        return False

    async def remember(self, state: str, **data: Any) -> None:
        """Move the conversation to ``state`` with the data gathered so far."""
        self.conversation = Conversation(state, data)
        await self.db(_save, self.app, self.profile.chat_user_id, self.conversation)

    async def forget(self) -> None:
        """Back to idle."""
        if self.conversation.state:
            await self.remember("")


def _load(app: App, telegram_user_id: int, language: str) -> tuple[ChatProfile, Conversation]:
    now = app.clock()
    with app.uow(read_only=True) as uow:
        found = known_turn(uow.session, telegram_user_id=telegram_user_id, now=now)
    if found is not None:
        return found
    with app.uow() as uow:  # first contact: the user is created
        return begin_turn(uow, telegram_user_id=telegram_user_id, language=language, now=now)


def _save(app: App, chat_user_id: int, conversation: Conversation) -> None:
    with app.uow() as uow:
        save_conversation(uow, chat_user_id=chat_user_id, conversation=conversation,
                          now=app.clock())
