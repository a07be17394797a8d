"""The sandbox's SMTP server: catches what the assistant sends and keeps it as ``.eml`` files.

Without ``CASHBACK_SMTP_HOST`` nothing may leave the machine, yet the whole sending path
should run for real (connection, SMTP dialogue, headers), so ``cashback run`` and
``cashback outbox run`` start this aiosmtpd server on 127.0.0.1 and point the dispatcher at
it. Each message lands in ``DATA_DIR/sandbox-mail`` and opens in any mail client. Tests use
the same server, telling it which recipients to refuse.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from bot.mail.outbound import SmtpConfig
from bot.settings import Settings

log = logging.getLogger("cashback.sandbox_mail")
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One message as the server received it: envelope and parsed content."""

    sender: str
    recipients: tuple[str, ...]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        """The message parsed with the modern API."""
        parsed = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class CollectingHandler:
    """An aiosmtpd handler keeping every message in memory and, if given a folder, on disk.

    ``refusals`` maps recipient addresses to the SMTP reply they get instead of "250 OK" (e.g.
    ``"550 5.1.1 no such user"``, ``"451 4.3.0 try later"``) and ``data_reply``, when set,
    refuses every message at the end of DATA: tests use them to play a difficult server.
    """

    folder: Path | None = None
    remember: bool = True
    refusals: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _count: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        """Accept the recipient unless ``refusals`` says otherwise."""
        refusal = self.refusals.get(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any,  # noqa: N802
                          envelope: Any) -> str:
        """Keep the message (or refuse it with ``data_reply``)."""
        if self.data_reply is not None:
            return self.data_reply
        content = envelope.original_content or envelope.content
        item = Received(sender=envelope.mail_from, recipients=tuple(envelope.rcpt_tos),
                        content=bytes(content))
        with self._lock:
            self._count += 1
            number = self._count
            if self.remember:
                self.received.append(item)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            (self.folder / f"{stamp}-{number:05d}.eml").write_bytes(item.content)
        return "250 Message accepted"


class LoopbackController(Controller):
    """aiosmtpd's threaded controller on loopback; port 0 picks a free port.

    Unlike aiosmtpd's own controller it can be stopped and started again, keeping its port:
    tests take the server down for a while and bring it back.
    """

    def __init__(self, handler: CollectingHandler, port: int = 0, **smtp_options: Any) -> None:
        super().__init__(handler, hostname=LOOPBACK, port=port, server_hostname="sandbox.local",
                         **smtp_options)

    def start(self) -> None:
        """Start, or start again after :meth:`stop` on the same port (a server back up)."""
        if self.loop.is_closed():
            self.loop = asyncio.new_event_loop()
        super().start()

    def _trigger_server(self) -> None:
        # With port 0 the operating system chose the port; learn it before connecting to it.
        server = self.server
        if isinstance(server, asyncio.Server) and server.sockets:
            self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]

    def smtp_config(self) -> SmtpConfig:
        """How the dispatcher reaches this server: plain SMTP on loopback."""
        return SmtpConfig(host=LOOPBACK, port=self.port, security="none", timeout=10.0)


def sandbox_mail_folder(settings: Settings) -> Path:
    """Where the sandbox keeps what it caught."""
    return settings.data_dir / "sandbox-mail"


@contextmanager
def mail_transport(settings: Settings) -> Iterator[tuple[SmtpConfig, Path | None]]:
    """The SMTP server to send through, and the sandbox folder when it is the sandbox's.

    With ``CASHBACK_SMTP_HOST`` set, that server; otherwise a sink on loopback started for the
    duration of the block.
    """
    if settings.smtp_host:
        yield SmtpConfig.from_settings(settings), None
        return
    folder = sandbox_mail_folder(settings)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection
    controller = LoopbackController(CollectingHandler(folder=folder, remember=False))
    controller.start()
    log.info("sandbox SMTP sink on %s:%d, saving to %s", LOOPBACK, controller.port, folder)
    try:
        yield controller.smtp_config(), folder
    finally:
        controller.stop()
