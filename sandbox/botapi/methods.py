"""The Bot API methods the assistant uses, answered from the in-memory world.

Each behaves like Telegram where the bot could notice the difference: the same error texts
and codes (chat not found, message not modified, file is too big, 429 with retry_after), the
inline keyboard removed by an edit that does not repeat it, updates confirmed by ``offset``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.botapi.world import (
    JSON,
    MAX_CALLBACK_DATA,
    MAX_DOWNLOAD,
    MAX_TEXT,
    ApiError,
    StoredFile,
    Webhook,
    World,
)

Method = Callable[[World, JSON], Awaitable[Any]]
METHODS: dict[str, Method] = {}
LONG_POLL_CAP = 50.0


def method(name: str) -> Callable[[Method], Method]:
    """Register an implementation under its Bot API name."""
    def register(function: Method) -> Method:
        METHODS[name.lower()] = function
        return function
    return register


def _int(params: JSON, key: str, default: int | None = None) -> int:
    value = params.get(key, default)
    if value is None:
        raise ApiError(400, f"Bad Request: {key} is required")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {key}") from None


def _keyboard(params: JSON) -> JSON | None:
    markup = params.get("reply_markup")
    if not markup:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline "
                                    "keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup if "inline_keyboard" in markup else None


def _text(params: JSON, key: str = "text") -> str:
    text = str(params.get(key) or "")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def _new_message(world: World, chat: JSON, params: JSON, **content: Any) -> JSON:
    message: JSON = {"message_id": world.next_id(), "from": world.bot, "chat": chat,
                     "date": int(time.time()), **content}
    markup = _keyboard(params)
    if markup:
        message["reply_markup"] = markup
    reply = params.get("reply_parameters") or {}
    reply_to = reply.get("message_id") if isinstance(reply, dict) else None
    reply_to = reply_to or params.get("reply_to_message_id")
    if reply_to and (chat["id"], int(reply_to)) in world.messages:
        message["reply_to_message"] = world.messages[(chat["id"], int(reply_to))]
    return message


def _bot_message(world: World, params: JSON) -> JSON:
    chat = world.chat_for(params.get("chat_id"))
    message = world.messages.get((chat["id"], _int(params, "message_id")))
    if message is None:
        raise ApiError(400, "Bad Request: message to edit not found")
    if message["from"]["id"] != world.bot_id:
        raise ApiError(400, "Bad Request: message can't be edited")
    return message


@method("getMe")
async def get_me(world: World, params: JSON) -> JSON:
    """The bot's identity."""
    return world.bot


@method("getUpdates")
async def get_updates(world: World, params: JSON) -> list[JSON]:
    """Confirm updates below ``offset``, then return the rest, waiting up to ``timeout``."""
    if world.webhook is not None:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                            "use deleteWebhook to delete the webhook first")
    offset = _int(params, "offset", 0)
    limit = _int(params, "limit", 100)
    if offset:
        world.pending[:] = [u for u in world.pending if u["update_id"] >= offset]
    deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONG_POLL_CAP)
    while not world.pending and (left := deadline - time.monotonic()) > 0:
        await world.wait_changed(left)
        if world.webhook is not None or world.closing:
            break
    return world.pending[:limit] if world.webhook is None else []


@method("setWebhook")
async def set_webhook(world: World, params: JSON) -> bool:
    """Deliver updates by HTTP POST from now on (see ``sandbox.botapi.webhook``)."""
    url = str(params.get("url") or "")
    if not url:
        world.webhook = None
    else:
        world.webhook = Webhook(url, params.get("secret_token") or None,
                                max(1, min(_int(params, "max_connections", 40), 100)))
    if str(params.get("drop_pending_updates")).lower() == "true":
        world.pending.clear()
    world.notify()
    return True


@method("deleteWebhook")
async def delete_webhook(world: World, params: JSON) -> bool:
    """Back to getUpdates."""
    world.webhook = None
    if str(params.get("drop_pending_updates")).lower() == "true":
        world.pending.clear()
    world.notify()
    return True


@method("getWebhookInfo")
async def get_webhook_info(world: World, params: JSON) -> JSON:
    """The current webhook, if any."""
    return {"url": world.webhook.url if world.webhook else "",
            "has_custom_certificate": False, "pending_update_count": len(world.pending)}


@method("sendMessage")
async def send_message(world: World, params: JSON) -> JSON:
    """A new text message from the bot."""
    chat = world.chat_for(params.get("chat_id"))
    if world.flood_next > 0:
        world.flood_next -= 1
        raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
    message = _new_message(world, chat, params, text=_text(params))
    world.record("sendMessage", message)
    world.notify()
    return message


@method("editMessageText")
async def edit_message_text(world: World, params: JSON) -> JSON:
    """Replace a bot message's text; a keyboard not repeated is removed, as in Telegram."""
    message = _bot_message(world, params)
    text = _text(params)
    markup = _keyboard(params)
    if text == message.get("text") and markup == message.get("reply_markup"):
        raise ApiError(400, "Bad Request: message is not modified: specified new message "
                            "content and reply markup are exactly the same as a current "
                            "content and reply markup of the message")
    edited = {**message, "text": text, "edit_date": int(time.time())}
    edited.pop("reply_markup", None)
    if markup:
        edited["reply_markup"] = markup
    world.record("editMessageText", edited)
    world.notify()
    return edited


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(world: World, params: JSON) -> JSON:
    """Replace (or remove) a bot message's buttons."""
    message = _bot_message(world, params)
    markup = _keyboard(params)
    if markup == message.get("reply_markup"):
        raise ApiError(400, "Bad Request: message is not modified")
    edited = {**message, "edit_date": int(time.time())}
    edited.pop("reply_markup", None)
    if markup:
        edited["reply_markup"] = markup
    world.record("editMessageReplyMarkup", edited)
    world.notify()
    return edited


@method("deleteMessage")
async def delete_message(world: World, params: JSON) -> bool:
    """Remove a message."""
    chat = world.chat_for(params.get("chat_id"))
    world.messages.pop((chat["id"], _int(params, "message_id")), None)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(world: World, params: JSON) -> bool:
    """Stop the button's spinner, optionally with a short notice."""
    query_id = str(params.get("callback_query_id") or "")
    if query_id not in world.callback_answers:
        raise ApiError(400, "Bad Request: query is too old and response timeout expired or "
                            "query id is invalid")
    world.callback_answers[query_id] = {"answered": True, "text": params.get("text")}
    return True


@method("sendChatAction")
async def send_chat_action(world: World, params: JSON) -> bool:
    """"typing…", "upload_document…": nothing to keep."""
    world.chat_for(params.get("chat_id"))
    return True


@method("sendDocument")
async def send_document(world: World, params: JSON) -> JSON:
    """A file from the bot: uploaded in the request, or an earlier file id."""
    chat = world.chat_for(params.get("chat_id"))
    upload = params.get("document")
    if isinstance(upload, StoredFile):
        stored = upload
    elif isinstance(upload, str) and upload in world.files:
        stored = world.files[upload]
    else:
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
    document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_name": stored.name or stored.file_path.rsplit("/", 1)[-1],
                "file_size": stored.size}
    content: JSON = {"document": document}
    if params.get("caption"):
        content["caption"] = str(params["caption"])
    message = _new_message(world, chat, params, **content)
    world.record("sendDocument", message)
    world.notify()
    return message


@method("getFile")
async def get_file(world: World, params: JSON) -> JSON:
    """Where to download a file; Telegram refuses files over 20 MB to bots."""
    stored = world.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    if stored.size > MAX_DOWNLOAD:
        raise ApiError(400, "Bad Request: file is too big")
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_size": stored.size, "file_path": stored.file_path}


@method("setMyCommands")
async def set_my_commands(world: World, params: JSON) -> bool:
    """The command menu, per language."""
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise ApiError(400, "Bad Request: can't parse commands JSON object")
    world.commands[str(params.get("language_code") or "")] = commands
    return True


@method("getMyCommands")
async def get_my_commands(world: World, params: JSON) -> list[JSON]:
    """The command menu for a language."""
    return world.commands.get(str(params.get("language_code") or ""), [])


@method("deleteMyCommands")
async def delete_my_commands(world: World, params: JSON) -> bool:
    """Forget the command menu for a language."""
    world.commands.pop(str(params.get("language_code") or ""), None)
    return True
