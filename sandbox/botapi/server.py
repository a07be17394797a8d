"""A Telegram Bot API server on loopback, for the sandbox and the tests.

The real python-telegram-bot client talks to it over HTTP exactly as it talks to Telegram:
``https://api.telegram.org/bot<token>/<method>`` becomes ``http://127.0.0.1:<port>/bot<token>/
<method>``, files come from ``/file/bot<token>/<path>``, and a webhook, once set, receives the
updates by POST with the secret header (``sandbox.botapi.webhook``; with ``webhook_backends``
spread round robin over several bot processes, as a load balancer would).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from sandbox.botapi.methods import METHODS
from sandbox.botapi.webhook import WebhookPusher
from sandbox.botapi.world import JSON, ApiError, World

# Parameters PTB sends JSON-encoded inside form fields.
_JSON_FIELDS = {"reply_markup", "reply_parameters", "commands", "scope", "allowed_updates",
                "entities", "caption_entities", "link_preview_options"}
MAX_REQUEST = 64 * 1024 * 1024


class BotApiServer:
    """The HTTP face of a :class:`World`; ``extra_routes`` adds e.g. the sandbox chat page."""

    def __init__(self, world: World, *, host: str = "127.0.0.1", port: int = 0,
                 extra_routes: Callable[[web.Application], None] | None = None,
                 webhook_backends: Sequence[str] = ()) -> None:
        self.world = world
        self.host = host
        self.port = port
        self._app = web.Application(client_max_size=MAX_REQUEST)
        self._app.router.add_route("*", "/bot{token}/{method}", self._call)
        self._app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        if extra_routes is not None:
            extra_routes(self._app)
        self._runner: web.AppRunner | None = None
        self.webhook = WebhookPusher(world, webhook_backends)
        self._pusher: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """What ``ApplicationBuilder.base_url`` wants (the token is appended)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """What ``ApplicationBuilder.base_file_url`` wants."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def url(self) -> str:
        """The server's root, where the sandbox chat page lives."""
        return f"http://{self.host}:{self.port}/"

    async def start(self) -> None:
        """Listen on loopback (a free port when 0 was asked) and start webhook delivery."""
        self._runner = web.AppRunner(self._app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            # Port taken: leave nothing half-started, so the caller may try another port.
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = int(self._runner.addresses[0][1])
        self._pusher = asyncio.create_task(self.webhook.run())

    async def stop(self) -> None:
        """Release long polls, stop delivery, close the listener."""
        self.world.closing = True
        self.world.notify()
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.stop()

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.world.token:
            return _answer({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        self.world.calls.append(request.match_info["method"])
        implementation = METHODS.get(request.match_info["method"].lower())
        if implementation is None:
            return _answer({"ok": False, "error_code": 404,
                            "description": "Not Found: method not found"}, 404)
        try:
            result = await implementation(self.world, await self._params(request))
        except ApiError as error:
            body: JSON = {"ok": False, "error_code": error.code,
                          "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            return _answer(body, error.code)
        return _answer({"ok": True, "result": result}, 200)

    async def _params(self, request: web.Request) -> JSON:
        if request.content_type == "application/json":
            data = await request.json()
            return data if isinstance(data, dict) else {}
        params: JSON = {}
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[key] = self.world.store_file(value.file.read(), "documents",
                                                    value.filename or key)
            elif key in _JSON_FIELDS:
                params[key] = _json(str(value))
            else:
                params[key] = str(value)
        # PTB names uploads "attach://<name>"; resolve them to the uploaded part.
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.get(value.removeprefix("attach://"), value)
        return params

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.world.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.world.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content,
                                    content_type="application/octet-stream")
        return web.Response(status=404)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _answer(body: JSON, status: int) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda v: json.dumps(v, default=str))
