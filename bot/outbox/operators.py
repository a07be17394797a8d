"""The operators' side of the outbox: the interface the operators' chat implements."""

from __future__ import annotations

from typing import Protocol

NO_OPERATOR_CHAT = "no operators' chat is configured"


class OperatorAnnouncer(Protocol):
    """Shows a registration's documents in the operators' chat, with the decision buttons.

    Raises :class:`~bot.outbox.errors.TemporaryFailure` or
    :class:`~bot.outbox.errors.PermanentFailure` like :class:`~bot.outbox.chat.ChatSender`.
    """

    async def announce(self, registration_id: int, *, key: str) -> str | None:
        """Deliver the notice; returns a note for the outbox row, if any."""
        ...
