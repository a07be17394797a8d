"""A chat page on the sandbox's Bot API server: talk to the bot as an installer, in a browser.

Open ``http://127.0.0.1:<port>/`` (``?lang=it`` to be an Italian installer): what you type
becomes a Telegram update from a fake user, the bot's answers and buttons appear as they are
sent, and the sandbox mailbox shows the e-mails the assistant sent (the link code arrives
there). Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from sandbox.botapi.people import Person
from sandbox.botapi.world import JSON, World
from sandbox.chat_html import PAGE

# One fake installer per language, so both languages can be tried side by side.
USERS = {"fr": (901_001, "Camille"), "it": (901_002, "Giulia"), "en": (901_003, "Alex")}
LONG_POLL_SECONDS = 25.0
Mailbox = Callable[[], Sequence[tuple[str, str]]]  # (subject, text) of recent e-mails


@dataclass
class ChatPage:
    """The page and its small JSON API, over a :class:`World`."""

    world: World
    mailbox: Mailbox | None = None

    def routes(self, app: web.Application) -> None:
        """Add the page's routes to the server's application."""
        app.router.add_get("/", self.page)
        app.router.add_get("/sandbox/transcript", self.transcript)
        app.router.add_post("/sandbox/send", self.send)
        app.router.add_post("/sandbox/press", self.press)
        app.router.add_post("/sandbox/upload", self.upload)
        app.router.add_get("/sandbox/file/{file_id}", self.file)

    def person(self, language: str) -> Person:
        """The fake installer for ``language``, created on first use."""
        user_id, name = USERS.get(language, USERS["en"])
        user = self.world.users.get(user_id) or self.world.add_user(
            name, language if language in USERS else "en", user_id=user_id)
        return Person(self.world, name, user=user)

    async def page(self, request: web.Request) -> web.Response:
        """The chat page itself."""
        return web.Response(text=PAGE, content_type="text/html", charset="utf-8")

    async def transcript(self, request: web.Request) -> web.Response:
        """The whole conversation, once it differs from the version the page has."""
        person = self.person(request.query.get("lang", "fr"))
        known = request.query.get("version", "")
        if self._version() == known:
            await self.world.wait_changed(LONG_POLL_SECONDS)
        messages = [self._view(m) for (chat, _), m in sorted(self.world.messages.items())
                    if chat == person.chat_id]
        mails = [{"subject": s, "text": t} for s, t in (self.mailbox() if self.mailbox else [])]
        return web.json_response({"version": self._version(), "messages": messages,
                                  "mails": mails})

    async def send(self, request: web.Request) -> web.Response:
        """The user typed a message."""
        body = await request.json()
        person = self.person(str(body.get("lang", "fr")))
        text = str(body.get("text", "")).strip()[:4096]
        if text:
            await self.world.push("message", self.world.user_message(person.user, person.chat,
                                                                     text=text))
        return web.json_response({"ok": True})

    async def press(self, request: web.Request) -> web.Response:
        """The user tapped a button."""
        body = await request.json()
        person = self.person(str(body.get("lang", "fr")))
        message = self.world.messages.get((person.chat_id, int(body.get("message_id", 0))))
        if message is not None:
            query_id = str(self.world.next_id())
            self.world.callback_answers[query_id] = {"answered": False}
            await self.world.push("callback_query", {
                "id": query_id, "from": person.user, "message": message,
                "chat_instance": str(person.chat_id), "data": str(body.get("data", ""))})
        return web.json_response({"ok": True})

    async def upload(self, request: web.Request) -> web.Response:
        """The user sent a file (a template, or documents for a request)."""
        form = await request.post()
        person = self.person(str(form.get("lang", "fr")))
        upload = form.get("file")
        if isinstance(upload, web.FileField):
            content = upload.file.read()
            name = upload.filename or "file"
            stored = self.world.store_file(content, "documents", name)
            document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                              "file_name": name, "file_size": stored.size,
                              "mime_type": upload.content_type}
            await self.world.push("message", self.world.user_message(
                person.user, person.chat, document=document))
        return web.json_response({"ok": True})

    async def file(self, request: web.Request) -> web.Response:
        """Download a file the bot sent (e.g. the template)."""
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            return web.Response(status=404)
        name = json.dumps(stored.name or "file")
        return web.Response(body=stored.content, content_type="application/octet-stream",
                            headers={"Content-Disposition": f"attachment; filename={name}"})

    def _version(self) -> str:
        return f"{len(self.world.outputs)}-{len(self.world.messages)}-{len(self.world.pending)}"

    def _view(self, message: JSON) -> JSON:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        document = message.get("document")
        return {
            "id": message["message_id"],
            "mine": message["from"]["id"] != self.world.bot_id,
            "text": message.get("text") or message.get("caption") or "",
            "buttons": [[{"text": b["text"], "data": b.get("callback_data", "")} for b in row]
                        for row in rows],
            "document": {"name": document.get("file_name", "file"),
                         "url": f"/sandbox/file/{document['file_id']}"} if document else None,
        }
