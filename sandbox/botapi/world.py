"""The in-memory world behind the local Bot API server: users, chats, messages, files, updates.

Objects are kept as the JSON dictionaries the Bot API sends, so what the bot receives is
exactly what Telegram would send, and what it sent can be read back the same way.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
# Telegram's own limits, which the bot must respect.
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description, optional parameters."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass
class StoredFile:
    """A file a user or the bot sent; ``size`` may claim more than ``content`` holds."""

    file_id: str
    file_unique_id: str
    content: bytes
    size: int
    file_path: str
    name: str = ""


@dataclass(frozen=True)
class BotOutput:
    """One thing the bot did in a chat: a new message or an edit, in order."""

    seq: int
    method: str
    chat_id: int
    message: JSON


@dataclass
class Webhook:
    """Where updates go instead of getUpdates, the secret sent along, and how many at once.

    Telegram keeps up to ``max_connections`` deliveries in flight (40 unless the bot says).
    """

    url: str
    secret_token: str | None
    max_connections: int = 40


@dataclass
class World:
    """Everything the fake Telegram knows; one bot per world."""

    token: str
    bot_id: int = 7000000001
    bot_username: str = "cashback_sandbox_bot"
    users: dict[int, JSON] = field(default_factory=dict)
    chats: dict[int, JSON] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    messages: dict[tuple[int, int], JSON] = field(default_factory=dict)
    outputs: list[BotOutput] = field(default_factory=list)
    pending: list[JSON] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    callback_answers: dict[str, JSON] = field(default_factory=dict)
    commands: dict[str, list[JSON]] = field(default_factory=dict)
    webhook: Webhook | None = None
    # Answer the next N sendMessage calls with "429 Too Many Requests" (tests the retries).
    flood_next: int = 0
    calls: list[str] = field(default_factory=list)  # every method the bot called, in order
    closing: bool = False
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _waiters: set[asyncio.Future[None]] = field(default_factory=set)
    _processed: dict[int, asyncio.Event] = field(default_factory=dict)

    @property
    def bot(self) -> JSON:
        """The bot's own User object (getMe)."""
        return {"id": self.bot_id, "is_bot": True, "first_name": "Cashback",
                "username": self.bot_username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def next_id(self) -> int:
        """A fresh id for an update, message or file (unique across kinds, which is fine)."""
        return next(self._ids)

    # --- things users do --------------------------------------------------------------------
    def add_user(self, first_name: str, language_code: str | None = None,
                 user_id: int | None = None) -> JSON:
        """A Telegram user, with the private chat they have with the bot."""
        user_id = user_id or 100_000 + self.next_id()
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        self.chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}
        return user

    def add_group(self, title: str) -> JSON:
        """A group chat the bot was added to."""
        chat: JSON = {"id": -1_000_000 - self.next_id(), "type": "group", "title": title}
        self.chats[chat["id"]] = chat
        return chat

    def store_file(self, content: bytes, folder: str, name: str = "",
                   size: int | None = None) -> StoredFile:
        """Keep a file's bytes under a new file id (``size`` may claim a bigger file)."""
        number = self.next_id()
        suffix = name.rsplit(".", 1)[-1] if "." in name else "bin"
        stored = StoredFile(f"file-{number}", f"unique-{number}", content,
                            len(content) if size is None else size,
                            f"{folder}/file_{number}.{suffix}", name)
        self.files[stored.file_id] = stored
        return stored

    def user_message(self, user: JSON, chat: JSON, **content: Any) -> JSON:
        """A message from a user, stored so the bot can reply to it."""
        message: JSON = {"message_id": self.next_id(), "from": user, "chat": chat,
                         "date": int(time.time()), **content}
        text = message.get("text")
        if isinstance(text, str) and text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(command.encode("utf-16-le")) // 2}]
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    async def push(self, kind: str, payload: JSON) -> int:
        """Queue an update for the bot; returns its update_id."""
        update_id = self.next_id()
        self.pending.append({"update_id": update_id, kind: payload})
        self._processed[update_id] = asyncio.Event()
        self.notify()
        return update_id

    # --- things the bot does ------------------------------------------------------------------
    def record(self, method: str, message: JSON) -> None:
        """Note a new or edited bot message, in order."""
        self.messages[(message["chat"]["id"], message["message_id"])] = message
        self.outputs.append(BotOutput(len(self.outputs), method, message["chat"]["id"],
                                      message))

    def chat_for(self, chat_id: object) -> JSON:
        """The chat a bot call is about, or the error Telegram gives."""
        try:
            chat = self.chats[int(str(chat_id))]
        except (KeyError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat["id"] in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    # --- waiting ------------------------------------------------------------------------------
    def notify(self) -> None:
        """Wake everyone waiting for a change (long polls, tests, the chat page)."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_changed(self, seconds: float) -> None:
        """Sleep until something changes or ``seconds`` pass (long polls give up then).

        A plain future per waiter, woken by :meth:`notify` or a timer: unlike
        ``asyncio.wait_for`` on Python 3.11, it never swallows a cancellation.
        """
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.add(waiter)
        timer = loop.call_later(seconds, _wake, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiters.discard(waiter)

    def processed(self, update_id: int) -> None:
        """The bot says it is done with an update (see ``bot.telegram.processing``)."""
        event = self._processed.get(update_id)
        if event is not None:
            event.set()

    async def wait_processed(self, update_id: int) -> None:
        """Until the bot has handled ``update_id`` completely."""
        await self._processed[update_id].wait()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
