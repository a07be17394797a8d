"""Delivering the outbox: notifications written with the change they announce, sent later.

The use cases write outbox rows in their own transaction (:mod:`storage.outbox`); the
dispatcher here claims due rows under a lease, sends them (e-mail through SMTP, chat through
a :class:`~bot.outbox.chat.ChatSender`), and records the outcome: sent, retried later with
backoff, or dead for an operator to look at (``cashback outbox list|retry``).
"""
