"""How a channel tells the dispatcher whether trying again can help."""

from __future__ import annotations


class DeliveryFailure(Exception):
    """A notification could not be delivered; the message says why, for the operator."""


class TemporaryFailure(DeliveryFailure):
    """Trying again later may work: server down, timeout, SMTP 4xx, rate limit."""


class PermanentFailure(DeliveryFailure):
    """Trying again cannot work without a change: SMTP 5xx, every address refused, none known."""
