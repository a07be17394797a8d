"""Sending e-mail: the headers every message of ours carries, and SMTP through aiosmtplib.

Every message has our own ``Message-ID`` (signed, derived from the outbox id, so a reply's
``In-Reply-To`` finds what it answers and a resend carries the same id), a ``Reply-To`` that
carries the request's reference when exactly one request is concerned, ``Auto-Submitted:
auto-generated`` (RFC 3834: auto-responders must not answer it) and a text and an HTML part,
never an attachment.

SMTP errors are sorted into what the dispatcher can act on: :class:`TemporaryFailure`
(connection refused or lost, timeouts, 4xx replies, a refused login - a configuration problem
the operator fixes without losing the backlog) and :class:`PermanentFailure` (5xx replies to
the message or to every recipient). TLS is never given up silently: with
``smtp_security=starttls`` a server without STARTTLS is an error, not a plain connection.
"""

from __future__ import annotations

import email.policy
import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from types import TracebackType

import aiosmtplib

from bot.mail.references import plus_address
from bot.mail.render import MailContent
from bot.mail.secret import signing_secret
from bot.outbox.errors import PermanentFailure, TemporaryFailure
from bot.settings import Settings
from core.i18n import Translator

log = logging.getLogger("cashback.mail")


@dataclass(frozen=True)
class MailIdentity:
    """Who our mail comes from, where replies go, and the secret signing our Message-IDs."""

    sender: str
    reply_mailbox: str
    secret: str

    @property
    def domain(self) -> str:
        """The domain of our Message-IDs and of the EHLO greeting."""
        return self.sender.rpartition("@")[2] or "localhost"

    @classmethod
    def from_settings(cls, settings: Settings) -> MailIdentity:
        """From MAIL_FROM, MAIL_REPLY_TO (default: MAIL_FROM) and the signing secret."""
        return cls(sender=settings.mail_from,
                   reply_mailbox=settings.mail_reply_to or settings.mail_from,
                   secret=signing_secret(settings))


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to connect; ``tls_context`` trusts a private CA (tests, own relays)."""

    host: str
    port: int
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    tls_context: ssl.SSLContext | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        """The configured server; only valid when SMTP_HOST is set."""
        if not settings.smtp_host:
            raise ValueError("CASHBACK_SMTP_HOST is not set")
        return cls(host=settings.smtp_host, port=settings.smtp_port,
                   security=settings.smtp_security, username=settings.smtp_username,
                   password=settings.smtp_password, timeout=settings.smtp_timeout_seconds)


def valid_addresses(addresses: Sequence[str]) -> list[Address]:
    """The syntactically valid ones among a company's registered addresses."""
    valid = []
    for address in addresses:
        try:
            parsed = Address(addr_spec=address.strip())
        except (ValueError, IndexError):
            # Not the address itself (personal data); the log line carries the company's id.
            log.warning("skipping an invalid registered address")
            continue
        if parsed.username and parsed.domain:
            valid.append(parsed)
    return valid


def build_message(*, content: MailContent, message_id: str, recipients: Sequence[Address],
                  identity: MailIdentity, language: str, written_at: datetime,
                  t: Translator, in_reply_to: str | None = None) -> EmailMessage:
    """The complete e-mail of one outbox row.

    ``Date`` is when the row was written, not when it is sent: a resend after a crash is then
    the same message, byte for byte, as the first attempt. ``in_reply_to`` (the Message-ID
    of a message we answer) threads the answer under it in the reader's mail client.
    """
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = Address(t.gettext("Cashback campaign"), addr_spec=identity.sender)
    message["To"] = list(recipients)
    message["Reply-To"] = (plus_address(identity.reply_mailbox, content.reference)
                           if content.reference else identity.reply_mailbox)
    message["Subject"] = content.subject
    message["Date"] = format_datetime(written_at)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message["Auto-Submitted"] = "auto-generated"
    # Asks Exchange/Outlook not to send out-of-office and similar answers to it.
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(content.text, subtype="plain", charset="utf-8")
    message.add_alternative(content.html, subtype="html", charset="utf-8")
    # After add_alternative: turning the message multipart moves Content-* headers inward.
    message["Content-Language"] = language
    return message


class SmtpMailer:
    """One SMTP connection, opened on the first message and reused for the next ones.

    Use as ``async with SmtpMailer(config, domain) as mailer: await mailer.send(...)``.
    """

    def __init__(self, config: SmtpConfig, domain: str) -> None:
        self.config = config
        self.domain = domain
        self._client: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> SmtpMailer:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.close()

    async def send(self, message: EmailMessage, *, sender: str,
                   recipients: Sequence[str]) -> list[str]:
        """Send one message; returns the recipients refused while others accepted it.

        Raises:
            TemporaryFailure: worth trying again later.
            PermanentFailure: the server refused the message or every recipient.
        """
        try:
            client = await self._connected()
            refused, _ = await client.send_message(message, sender=sender,
                                                   recipients=list(recipients))
        except aiosmtplib.SMTPRecipientsRefused as error:
            await self._reset()
            notes = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in error.recipients)
            if any(400 <= r.code < 500 for r in error.recipients):
                raise TemporaryFailure(f"recipients refused for now: {notes}") from error
            raise PermanentFailure(f"every recipient refused: {notes}") from error
        except aiosmtplib.SMTPAuthenticationError as error:
            self._drop()
            raise TemporaryFailure(f"SMTP login refused ({error.code} {error.message}): check "
                                   "CASHBACK_SMTP_USERNAME and CASHBACK_SMTP_PASSWORD") from error
        except (aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPDataError) as error:
            await self._reset()
            text = f"{error.code} {error.message}"
            if error.code >= 500:
                raise PermanentFailure(f"message refused: {text}") from error
            raise TemporaryFailure(f"message deferred: {text}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            # Connection refused, lost or timed out, greeting refused, TLS problems, 421.
            self._drop()
            raise TemporaryFailure(f"SMTP unavailable: {type(error).__name__}: {error}"
                                   ) from error
        return [f"{address}: {reply.code} {reply.message}" for address, reply in refused.items()]

    async def close(self) -> None:
        """Say goodbye politely; a connection already lost is simply dropped."""
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        config = self.config
        client = aiosmtplib.SMTP(
            hostname=config.host, port=config.port, timeout=config.timeout,
            use_tls=config.security == "tls", start_tls=config.security == "starttls",
            username=config.username or None, password=config.password or None,
            tls_context=config.tls_context, local_hostname=self.domain)
        await client.connect()
        self._client = client
        return client

    async def _reset(self) -> None:
        # After a refused transaction the session may be mid-way; start the next one clean.
        if self._client is not None and self._client.is_connected:
            try:
                await self._client.rset()
                return
            except (aiosmtplib.SMTPException, OSError):
                pass
        self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()
