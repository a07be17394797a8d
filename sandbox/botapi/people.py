"""People who talk to the bot: what tests (and the sandbox chat page) use to act as a user.

Each action queues a real update for the bot and, when the bot reports it has handled it
(``World.processed``), returns what the bot sent or edited in the chat meanwhile; so a test
reads like a conversation: ``answer = await marie.send("/start")``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sandbox.botapi.world import JSON, World

# Only to turn a bug that leaves an update unhandled into a failure instead of a hang.
HANG_GUARD_SECONDS = 60.0


@dataclass(frozen=True)
class Reply:
    """A bot message as the user sees it now."""

    message: JSON

    @property
    def message_id(self) -> int:
        """The message's id in its chat."""
        return int(self.message["message_id"])

    @property
    def text(self) -> str:
        """The text, or a document's caption."""
        return str(self.message.get("text") or self.message.get("caption") or "")

    @property
    def buttons(self) -> list[JSON]:
        """Every inline button, row after row."""
        rows = (self.message.get("reply_markup") or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    @property
    def labels(self) -> list[str]:
        """The buttons' labels."""
        return [str(button["text"]) for button in self.buttons]

    @property
    def document(self) -> JSON | None:
        """The file the bot sent, if any."""
        document = self.message.get("document")
        return document if isinstance(document, dict) else None

    def button(self, label: str) -> JSON | None:
        """The button labelled ``label`` (exactly, else the first containing it)."""
        exact = [b for b in self.buttons if b["text"] == label]
        near = [b for b in self.buttons if label.lower() in str(b["text"]).lower()]
        found = exact or near
        return found[0] if found else None


class Person:
    """A Telegram user in a chat with the bot (their private chat unless ``chat`` is given)."""

    def __init__(self, world: World, first_name: str, language_code: str | None = None,
                 *, chat: JSON | None = None, user: JSON | None = None) -> None:
        self.world = world
        self.user = user or world.add_user(first_name, language_code)
        self.chat = chat or world.chats[self.user["id"]]
        self.last_query_id: str | None = None

    def in_chat(self, chat: JSON) -> Person:
        """The same person writing in another chat (a group)."""
        return Person(self.world, self.user["first_name"], chat=chat, user=self.user)

    @property
    def chat_id(self) -> int:
        """The chat this person writes in."""
        return int(self.chat["id"])

    def messages(self) -> list[Reply]:
        """Every bot message in the chat, as it looks now, oldest first."""
        return [Reply(m) for (chat_id, _), m in sorted(self.world.messages.items())
                if chat_id == self.chat_id and m["from"]["id"] == self.world.bot_id]

    async def send(self, text: str, *, reply_to: int | None = None) -> list[Reply]:
        """Type a message (a command if it starts with ``/``)."""
        return await self._message(text=text, reply_to=reply_to)

    async def send_document(self, content: bytes, filename: str, mime_type: str | None = None,
                            *, size: int | None = None, reply_to: int | None = None,
                            caption: str | None = None) -> list[Reply]:
        """Send a file; ``size`` can claim a bigger file than ``content`` (25 MB tests)."""
        stored = self.world.store_file(content, "documents", filename, size)
        document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                          "file_name": filename, "file_size": stored.size}
        if mime_type:
            document["mime_type"] = mime_type
        extra: JSON = {"caption": caption} if caption else {}
        return await self._message(document=document, reply_to=reply_to, **extra)

    async def send_photo(self, content: bytes, *, reply_to: int | None = None) -> list[Reply]:
        """Send a phone photo (Telegram offers it in sizes; the largest comes last)."""
        stored = self.world.store_file(content, "photos", "photo.jpg")
        sizes = [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                  "width": 1280, "height": 960, "file_size": stored.size}]
        return await self._message(photo=sizes, reply_to=reply_to)

    async def press(self, label: str, *, on: Reply | None = None) -> list[Reply]:
        """Tap an inline button in ``on`` or in the latest bot message that has it."""
        candidates = [on] if on else list(reversed(self.messages()))
        for reply in candidates:
            button = reply.button(label)
            if button is not None:
                return await self.press_data(str(button["callback_data"]), reply)
        available = [r.labels for r in candidates if r.labels]
        raise AssertionError(f"no button {label!r}; buttons: {available}")

    async def press_data(self, data: str, reply: Reply) -> list[Reply]:
        """Tap a button by its callback data (also data a client could forge)."""
        query_id = str(self.world.next_id())
        self.world.callback_answers[query_id] = {"answered": False}
        self.last_query_id = query_id
        return await self._act("callback_query", {
            "id": query_id, "from": self.user, "message": reply.message,
            "chat_instance": str(self.chat_id), "data": data})

    @property
    def last_query_answered(self) -> bool:
        """Whether the bot stopped the spinner of the last tapped button."""
        answer = self.world.callback_answers.get(self.last_query_id or "", {})
        return bool(answer.get("answered"))

    async def _message(self, *, reply_to: int | None, **content: Any) -> list[Reply]:
        if reply_to is not None:
            content["reply_to_message"] = self.world.messages[(self.chat_id, reply_to)]
        message = self.world.user_message(self.user, self.chat, **content)
        return await self._act("message", message)

    async def _act(self, kind: str, payload: JSON) -> list[Reply]:
        mark = len(self.world.outputs)
        update_id = await self.world.push(kind, payload)
        try:
            await asyncio.wait_for(self.world.wait_processed(update_id), HANG_GUARD_SECONDS)
        except TimeoutError:
            raise AssertionError(f"the bot never finished update {update_id}") from None
        # One reply per message, as it looks now: a progress message edited into the answer
        # is one message, in the place it was first sent.
        latest: dict[int, Reply] = {}
        for output in self.world.outputs[mark:]:
            if output.chat_id == self.chat_id:
                latest[output.message["message_id"]] = Reply(output.message)
        return list(latest.values())
