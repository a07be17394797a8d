"""Wiring the python-telegram-bot Application: handlers, guards, rate limiter, error handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.bootstrap import App
from bot.handlers import (
    documents,
    labels,
    language,
    link,
    notifications,
    portal,
    register,
    start,
    statement,
    status,
    template,
)
from bot.i18n import translator
from bot.operator_chat.desk import OperatorChatHandler
from bot.telegram import router
from bot.telegram.errors import on_error
from bot.telegram.guards import ThrottleGuard, private_chats_only
from bot.telegram.http import AiohttpRequest
from bot.telegram.processing import PerUserOrder
from bot.telegram.throttle import Throttle
from bot.telegram.turn import Context, database_executor
from core.i18n import LANGUAGES

# ExtBot[int]: the rate limiter's per-call arguments are ints (PTB's AIORateLimiter).
BotApplication = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any],
                             dict[Any, Any], JobQueue[Any]]
# Sends are retried this often after a "429 retry after" before the error reaches a handler.
SEND_RETRIES = 3


@dataclass(frozen=True)
class Endpoint:
    """Which Bot API server to talk to: Telegram's (None) or e.g. the sandbox's."""

    base_url: str | None = None
    base_file_url: str | None = None


def build_application(app: App, token: str, *, endpoint: Endpoint = Endpoint(),
                      on_processed: Callable[[int], None] | None = None) -> BotApplication:
    """The assistant's Telegram application, not yet started."""
    builder = (ApplicationBuilder().token(token)
               .context_types(ContextTypes(context=Context))
               .rate_limiter(AIORateLimiter(overall_max_rate=app.settings.chat_send_rate,
                                            max_retries=SEND_RETRIES))
               .concurrent_updates(PerUserOrder(on_done=on_processed))
               .request(AiohttpRequest())
               .get_updates_request(AiohttpRequest(1)))
    if endpoint.base_url:
        builder = builder.base_url(endpoint.base_url)
    if endpoint.base_file_url:
        builder = builder.base_file_url(endpoint.base_file_url)
    application: BotApplication = builder.build()
    application.bot_data["app"] = app
    application.bot_data["database_threads"] = database_executor(app)
    settings = app.settings
    throttle = Throttle(settings.chat_rate_limit_count, settings.chat_rate_limit_seconds)
    application.add_handler(TypeHandler(object, ThrottleGuard(throttle)), group=-2)
    if settings.operator_chat_id is not None:  # before the guard: the one group we work in
        application.add_handler(OperatorChatHandler(settings.operator_chat_id), group=-1)
    application.add_handler(TypeHandler(object, private_chats_only), group=-1)
    add_conversations(application)
    application.add_error_handler(on_error)
    return application


def add_conversations(application: BotApplication) -> None:
    """Every command, button and message the bot understands."""
    commands: dict[str, Callable[..., Any]] = {
        "start": start.start, "help": start.help_command, "cancel": start.cancel,
        "language": language.choose, "notifications": notifications.notifications,
        "link": link.link, "unlink": link.unlink_command,
        "register": register.register, "status": status.status,
        "template": template.template, "statement": statement.statement,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    buttons: dict[str, Callable[..., Any]] = {
        language.PREFIX: language.chosen, notifications.PREFIX: notifications.tapped,
        register.PRODUCT: register.product_chosen, register.DAY: register.day_chosen,
        register.SUGGESTION: register.suggestion_chosen,
        status.LIST: status.page_tapped, status.SUMMARY: status.summary_tapped,
        status.DOCUMENTS: documents.for_serial_tapped, documents.SEND: documents.send_tapped,
        portal.PREFIX: portal.register_all_tapped,
        labels.PREFIX: labels.tapped,
    }
    for prefix, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^{prefix}"))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, router.text_message))
    application.add_handler(MessageHandler(filters.Document.ALL | filters.PHOTO,
                                           router.file_message))
    application.add_handler(MessageHandler(filters.COMMAND, router.unknown_command))


async def publish_commands(application: BotApplication) -> None:
    """The command menu in each language Telegram users may have."""
    for language_code in LANGUAGES:
        await application.bot.set_my_commands(start.bot_commands(translator(language_code)),
                                              language_code=language_code)
    await application.bot.set_my_commands(start.bot_commands(translator("en")))
