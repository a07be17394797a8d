"""The outbox dispatcher: claims due rows and delivers them by e-mail or chat.

Safe to run in several processes at once (see :mod:`bot.outbox.claims` for the claim, the
lease and the at-least-once choice). Database calls run in worker threads, so the
dispatcher can share an event loop with the chat channel. Each pass handles the rows due
when it started; a row that failed is rescheduled later and waits for a following pass.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from bot.bootstrap import Clock
from bot.i18n import translator
from bot.mail.outbound import MailIdentity, SmtpConfig, SmtpMailer, build_message, valid_addresses
from bot.mail.references import message_id
from bot.mail.render import Notification
from bot.mail.topics import EmailRenderer, MailRequest, email_renderers
from bot.observability.logs import log_context
from bot.observability.metrics import DELIVERIES
from bot.outbox import claims
from bot.outbox.backoff import RetryPolicy
from bot.outbox.chat import ChatMessage, ChatRenderer, ChatSender, chat_renderers, chat_text
from bot.outbox.context import CompanyGone, DeliveryContext, load_context
from bot.outbox.errors import PermanentFailure, TemporaryFailure
from bot.outbox.operators import NO_OPERATOR_CHAT, OperatorAnnouncer
from core.campaign import Campaign
from storage.outbox import (
    CHAT,
    DELIVERED_TO,
    EMAIL,
    OPERATOR,
    REFUSED_BY,
    changes_in,
    payload_references,
)

log = logging.getLogger("cashback.outbox")

# Without a chat channel running, chat rows for verified users wait this long between looks.
CHAT_CHANNEL_WAIT = timedelta(minutes=10)


@dataclass
class DispatchReport:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    postponed: int = 0

    @property
    def handled(self) -> int:
        """Rows this pass took."""
        return self.sent + self.retried + self.dead + self.postponed


@dataclass
class Dispatcher:
    """Delivers outbox rows; one instance per worker, any number of workers."""

    engine: Engine
    campaigns: Mapping[str, Campaign]
    identity: MailIdentity
    smtp: SmtpConfig
    clock: Clock
    chat: ChatSender | None = None
    # An operators' chat is configured (operator rows wait for it) and, when the chat channel
    # runs, what announces document sets there.
    operator_chat: bool = False
    operators: OperatorAnnouncer | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    renderers: Mapping[str, EmailRenderer] = field(default_factory=email_renderers)
    chat_renderers: Mapping[str, ChatRenderer] = field(default_factory=chat_renderers)
    lease: timedelta = timedelta(minutes=5)

    async def run_once(self, stop: asyncio.Event | None = None) -> DispatchReport:
        """Deliver every row due now (one SMTP connection for all of them).

        When ``stop`` is set the pass ends after the row in hand: it is sent and recorded,
        the others stay due for the next worker or the next start.
        """
        report = DispatchReport()
        due_by = self.clock()
        async with SmtpMailer(self.smtp, self.identity.domain) as mailer:
            while stop is None or not stop.is_set():
                claim = await asyncio.to_thread(
                    claims.claim_next, self.engine, due_by=due_by, now=self.clock(),
                    lease=self.lease,
                    message_id=lambda row: message_id(row, self.identity.secret,
                                                      self.identity.domain))
                if claim is None:
                    return report
                before = dataclasses.replace(report)
                with log_context(outbox_id=claim.id, company_id=claim.company_id):
                    await self._deliver(claim, mailer, report)
                _count(claim.kind, before, report)
            return report

    async def run_forever(self, stop: asyncio.Event, idle_seconds: float = 5.0) -> None:
        """Pass after pass until ``stop`` is set; a failing pass is logged, not fatal."""
        while not stop.is_set():
            try:
                report = await self.run_once(stop)
            except Exception:
                log.exception("outbox pass failed; trying again shortly")
                report = DispatchReport()
            if report.handled:
                log.info("outbox: %d sent, %d to retry, %d dead, %d postponed", report.sent,
                         report.retried, report.dead, report.postponed)
                continue
            try:
                await asyncio.wait_for(stop.wait(), idle_seconds)
            except TimeoutError:
                pass

    async def _deliver(self, claim: claims.Claim, mailer: SmtpMailer,
                       report: DispatchReport) -> None:
        try:
            if self.policy.exhausted(claim.attempts - 1):
                # Its worker died on each of the last attempts: do not let it kill the next.
                raise PermanentFailure(f"gave up after {claim.attempts - 1} attempts")
            if claim.kind == EMAIL:
                note = await self._send_email(claim, mailer)
            elif claim.kind == CHAT:
                note = await self._send_chat(claim)
            elif claim.kind == OPERATOR:
                note = await self._send_operators(claim)
            else:
                raise PermanentFailure(f"unknown kind {claim.kind!r}")
        except _Postponed as wait:
            await asyncio.to_thread(claims.postpone, self.engine, claim,
                                    at=self.clock() + CHAT_CHANNEL_WAIT, note=str(wait))
            report.postponed += 1
        except PermanentFailure as failure:
            log.warning("outbox %d (%s) dead: %s", claim.id, claim.kind, failure)
            await asyncio.to_thread(claims.mark_dead, self.engine, claim, error=str(failure))
            report.dead += 1
        except Exception as failure:  # TemporaryFailure, or a bug / database hiccup
            error = str(failure) if isinstance(failure, TemporaryFailure) else repr(failure)
            if not isinstance(failure, TemporaryFailure):
                log.exception("outbox %d: unexpected error", claim.id)
            await self._retry_or_give_up(claim, error, report)
        else:
            await asyncio.to_thread(claims.mark_sent, self.engine, claim, now=self.clock(),
                                    note=note)
            report.sent += 1

    async def _retry_or_give_up(self, claim: claims.Claim, error: str,
                                report: DispatchReport) -> None:
        if self.policy.exhausted(claim.attempts):
            await asyncio.to_thread(claims.mark_dead, self.engine, claim,
                                    error=f"gave up after {claim.attempts} attempts: {error}")
            report.dead += 1
            return
        at = self.clock() + self.policy.delay(claim.attempts)
        log.info("outbox %d: attempt %d failed (%s); next at %s", claim.id, claim.attempts,
                 error, at.isoformat())
        await asyncio.to_thread(claims.mark_retry, self.engine, claim, at=at, error=error)
        report.retried += 1

    async def _context(self, claim: claims.Claim,
                       references: set[str]) -> tuple[DeliveryContext, Campaign]:
        try:
            context = await asyncio.to_thread(load_context, self.engine, claim.company_id,
                                              references)
        except CompanyGone as gone:
            raise PermanentFailure(f"company {gone} does not exist") from gone
        campaign = self.campaigns.get(context.campaign_code)
        if campaign is None:
            raise PermanentFailure(f"unknown campaign {context.campaign_code!r}")
        return context, campaign

    async def _send_email(self, claim: claims.Claim, mailer: SmtpMailer) -> str | None:
        renderer = self.renderers.get(claim.topic)
        if renderer is None:
            raise PermanentFailure(f"no e-mail is defined for topic {claim.topic!r}")
        payload = json.loads(claim.payload)
        context, campaign = await self._context(claim, set(payload_references(payload)))
        recipients = valid_addresses(context.emails)
        if not recipients:
            raise PermanentFailure("the company has no valid registered e-mail address")
        draft = renderer(MailRequest(topic=claim.topic, payload=payload,
                                     company_name=context.company_name,
                                     language=context.language, campaign=campaign,
                                     requests=context.requests))
        assert claim.message_id is not None
        message = build_message(content=draft.content, message_id=claim.message_id,
                                recipients=recipients, identity=self.identity,
                                language=draft.language, written_at=claim.created_at,
                                t=translator(draft.language), in_reply_to=draft.in_reply_to)
        refused = await mailer.send(message, sender=self.identity.sender,
                                    recipients=[a.addr_spec for a in recipients])
        return "; ".join(refused) or None

    async def _send_chat(self, claim: claims.Claim) -> str | None:
        """One message per verified user, each in their language.

        Progress is saved after each user, so a retry (after one user's temporary failure)
        neither repeats the others nor asks again those who refused for good.
        """
        payload = json.loads(claim.payload)
        delivered = set(payload.get(DELIVERED_TO, []))
        refused: dict[str, str] = payload.get(REFUSED_BY, {})
        context, campaign = await self._context(claim, set(payload_references(payload)))
        if not context.chat_users:
            return "no verified chat user: delivered to nobody"
        waiting = [user for user in context.chat_users
                   if user.telegram_user_id not in delivered
                   and str(user.telegram_user_id) not in refused]
        if waiting and self.chat is None:
            raise _Postponed("the chat channel is not running")
        changes = changes_in(payload)
        renderer = self.chat_renderers.get(claim.topic)
        delayed = []
        for user in waiting:
            if renderer is not None:
                message = renderer(payload, user.language, campaign)
            else:
                notice = Notification(topic=claim.topic, language=user.language,
                                      campaign=campaign, changes=changes,
                                      requests=context.requests)
                message = ChatMessage(chat_text(notice, translator(user.language)))
            assert self.chat is not None
            try:
                await self.chat.send(user.telegram_user_id, message.text,
                                     key=f"outbox-{claim.id}-{user.telegram_user_id}",
                                     buttons=message.buttons)
            except TemporaryFailure as failure:
                delayed.append(f"{user.telegram_user_id}: {failure}")
                continue
            except PermanentFailure as failure:
                refused[str(user.telegram_user_id)] = str(failure)
            else:
                delivered.add(user.telegram_user_id)
            payload.update({DELIVERED_TO: sorted(delivered), REFUSED_BY: refused})
            await asyncio.to_thread(claims.record_payload, self.engine, claim,
                                    json.dumps(payload))
        if delayed:
            raise TemporaryFailure("; ".join(delayed))
        notes = "; ".join(f"{user}: {why}" for user, why in sorted(refused.items()))
        if not delivered:
            raise PermanentFailure(notes)
        return notes or None

    async def _send_operators(self, claim: claims.Claim) -> str | None:
        """The operators' notice of a document set; nothing to do without their chat."""
        if not self.operator_chat:
            return NO_OPERATOR_CHAT
        if self.operators is None:
            raise _Postponed("the chat channel is not running")
        registration_id = int(json.loads(claim.payload)["registration_id"])
        return await self.operators.announce(registration_id, key=f"outbox-{claim.id}")


def _count(kind: str, before: DispatchReport, after: DispatchReport) -> None:
    for outcome in ("sent", "retried", "dead", "postponed"):
        added = getattr(after, outcome) - getattr(before, outcome)
        if added:
            DELIVERIES.labels(kind=kind, outcome=outcome).inc(added)


class _Postponed(Exception):
    """The row cannot be tried yet; it is put back without counting an attempt."""
