"""The doctor's checks that reach a server: SMTP, IMAP and the Telegram Bot API.

Each connects the way the assistant does (same security setting, same login), does the least
that proves it works (EHLO and login; login and the folder; ``getMe``), and disconnects.
"""

from __future__ import annotations

import asyncio
import ssl
from contextlib import suppress

import aiosmtplib
from imap_tools.errors import MailboxLoginError
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.mail import imap
from bot.mail.outbound import SmtpConfig
from bot.observability.logs import redact
from bot.ops.findings import Finding, Level, error_text
from bot.settings import Settings
from core.i18n import N_

TIMEOUT_SECONDS = 10.0


def smtp_finding(settings: Settings) -> Finding:
    """Connect, EHLO, STARTTLS or TLS as configured, log in if a login is set."""
    if not settings.smtp_host:
        return Finding("smtp", Level.OK, N_("No CASHBACK_SMTP_HOST: e-mail goes to the local "
                                            "sandbox sink."))
    config = SmtpConfig.from_settings(settings)
    fields: dict[str, object] = {"host": config.host, "port": config.port}
    try:
        asyncio.run(_smtp_session(config))
    except aiosmtplib.SMTPAuthenticationError as error:
        return Finding("smtp", Level.PROBLEM, N_("The SMTP server %(host)s:%(port)d refused "
                                                "the login: %(error)s"),
                       N_("Check CASHBACK_SMTP_USERNAME and CASHBACK_SMTP_PASSWORD."),
                       {**fields, "error": redact(error_text(error))})
    except (ssl.SSLError, aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        return Finding("smtp", Level.PROBLEM, N_("Cannot talk to the SMTP server "
                                                 "%(host)s:%(port)d: %(error)s"),
                       N_("Check CASHBACK_SMTP_HOST, CASHBACK_SMTP_PORT and "
                          "CASHBACK_SMTP_SECURITY (587 starttls, 465 tls), and that this "
                          "machine may connect to it."), {**fields, "error": redact(
                              error_text(error))})
    return Finding("smtp", Level.OK, N_("The SMTP server %(host)s:%(port)d accepts us."), None,
                   fields)


async def _smtp_session(config: SmtpConfig) -> None:
    client = aiosmtplib.SMTP(
        hostname=config.host, port=config.port, timeout=min(config.timeout, TIMEOUT_SECONDS),
        use_tls=config.security == "tls", start_tls=config.security == "starttls",
        username=config.username or None, password=config.password or None,
        tls_context=config.tls_context)
    await client.connect()  # greeting, EHLO, STARTTLS and login as configured
    with suppress(aiosmtplib.SMTPException, OSError):
        await client.quit()


def imap_finding(settings: Settings) -> Finding:
    """Log in and look for the folder the replies arrive in."""
    if not settings.imap_host:
        level = Level.OK if settings.sandbox else Level.WARNING
        return Finding("imap", level, N_("No CASHBACK_IMAP_HOST: replies are not read."))
    fields: dict[str, object] = {"host": settings.imap_host, "port": settings.imap_port,
                                 "folder": settings.imap_folder}
    try:
        box = imap.connect(settings)
    except MailboxLoginError as error:
        return Finding("imap", Level.PROBLEM, N_("The IMAP server %(host)s:%(port)d refused "
                                                 "the login: %(error)s"),
                       N_("Check CASHBACK_IMAP_USERNAME and CASHBACK_IMAP_PASSWORD."),
                       {**fields, "error": redact(error_text(error))})
    except Exception as error:  # noqa: BLE001 - imaplib raises many kinds
        return Finding("imap", Level.PROBLEM, N_("Cannot talk to the IMAP server "
                                                 "%(host)s:%(port)d: %(error)s"),
                       N_("Check CASHBACK_IMAP_HOST, CASHBACK_IMAP_PORT and "
                          "CASHBACK_IMAP_SECURITY (993 tls, 143 starttls), and that this "
                          "machine may connect to it."), {**fields, "error": redact(
                              error_text(error))})
    try:
        exists = box.folder.exists(settings.imap_folder)
    finally:
        with suppress(Exception):
            box.logout()
    if not exists:
        return Finding("imap", Level.WARNING, N_("The IMAP login works but the folder "
                                                 "%(folder)s does not exist yet."),
                       N_("It is created at the first poll; check CASHBACK_IMAP_FOLDER if the "
                          "replies arrive elsewhere."), fields)
    return Finding("imap", Level.OK, N_("The IMAP server %(host)s:%(port)d accepts us; folder "
                                        "%(folder)s found."), None, fields)


def telegram_finding(settings: Settings) -> Finding:
    """Ask the Bot API who we are (``getMe``) with the configured token and server."""
    if settings.sandbox or settings.telegram_bot_token is None:
        return Finding("telegram", Level.OK, N_("No TELEGRAM_BOT_TOKEN: the sandbox's local "
                                                "Bot API server plays Telegram."))
    server = settings.telegram_base_url or "https://api.telegram.org/bot"
    fields: dict[str, object] = {"server": server}
    try:
        username, webhook = asyncio.run(_get_me(settings.telegram_bot_token, server,
                                                settings.telegram_base_file_url))
    except (TelegramError, OSError, TimeoutError) as error:
        return _telegram_problem(error, fields, settings.telegram_bot_token)
    fields["username"] = username
    if settings.telegram_mode == "webhook" and webhook != settings.telegram_webhook_url:
        return Finding("telegram", Level.WARNING, N_(
            "The bot is @%(username)s, but Telegram does not post its updates to "
            "%(configured)s yet (now: %(current)s)."), N_(
            "The bot sets its webhook when it starts; if this stays, check "
            "CASHBACK_TELEGRAM_WEBHOOK_URL."),
            {**fields, "configured": settings.telegram_webhook_url, "current": webhook or "-"})
    return Finding("telegram", Level.OK, N_("The Bot API server %(server)s knows the bot as "
                                            "@%(username)s."), None, fields)


def _telegram_problem(error: BaseException, fields: dict[str, object], token: str) -> Finding:
    # The token is a secret: never print it, even inside an error message.
    fields = {**fields, "error": error_text(error).replace(token, "<token>")}
    if isinstance(error, InvalidToken):
        return Finding("telegram", Level.PROBLEM, N_("The Bot API server %(server)s refused "
                                                     "the token: %(error)s"),
                       N_("Copy the token again from @BotFather into TELEGRAM_BOT_TOKEN."),
                       fields)
    if isinstance(error, NetworkError | OSError | TimeoutError):
        return Finding("telegram", Level.PROBLEM, N_("Cannot reach the Bot API server "
                                                     "%(server)s: %(error)s"),
                       N_("Check that this machine may reach it (proxy, firewall) and "
                          "CASHBACK_TELEGRAM_BASE_URL if you use your own server."), fields)
    return Finding("telegram", Level.PROBLEM, N_("The Bot API server %(server)s answered "
                                                 "with an error: %(error)s"),
                   N_("Check TELEGRAM_BOT_TOKEN and CASHBACK_TELEGRAM_BASE_URL."), fields)


async def _get_me(token: str, base_url: str, base_file_url: str | None) -> tuple[str, str]:
    """The bot's username (``getMe``) and where Telegram posts its updates (empty: nowhere)."""
    bot = Bot(token, base_url=base_url,
              base_file_url=base_file_url or "https://api.telegram.org/file/bot")
    async with bot:  # initialize() calls getMe
        info = await bot.get_webhook_info()
        return str(bot.username), info.url
