"""A worker killed mid-send: its row is taken over after the lease, with the same Message-ID."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from outbox_support import FRENCH, IDENTITY, FakeClock, change, outbox, queue, received_ids
from sqlalchemy import Engine

from bot.i18n import translator
from bot.mail.outbound import SmtpMailer, build_message, valid_addresses
from bot.mail.references import message_id
from bot.mail.topics import MailRequest, status_email
from bot.outbox import claims
from bot.outbox.backoff import RetryPolicy
from bot.outbox.dispatcher import Dispatcher
from bot.sandbox_mail import CollectingHandler, LoopbackController
from core.campaign import Campaign
from storage.outbox import changes_in

MakeDispatcher = Callable[..., Dispatcher]
LEASE = timedelta(minutes=5)


def claim(engine: Engine, clock: FakeClock) -> claims.Claim:
    """What a worker does first: take the row and record its Message-ID."""
    taken = claims.claim_next(engine, due_by=clock(), now=clock(), lease=LEASE,
                              message_id=lambda i: message_id(i, IDENTITY.secret,
                                                              IDENTITY.domain))
    assert taken is not None
    return taken


async def send_as_the_doomed_worker(taken: claims.Claim, campaign: Campaign,
                                    smtp_server: LoopbackController) -> None:
    """The worker hands the message to the server, then dies before recording it as sent."""
    draft = status_email(MailRequest(topic=taken.topic, payload={"changes": [
        c._asdict() for c in changes_in(taken.payload)]}, company_name="x", language="fr",
        campaign=campaign, requests={}))
    assert taken.message_id is not None
    message = build_message(content=draft.content, message_id=taken.message_id,
                            recipients=valid_addresses(["office@installer.example"]),
                            identity=IDENTITY, language="fr", written_at=taken.created_at,
                            t=translator("fr"))
    async with SmtpMailer(smtp_server.smtp_config(), IDENTITY.domain) as mailer:
        await mailer.send(message, sender=IDENTITY.sender,
                          recipients=["office@installer.example"])


async def test_a_row_abandoned_before_sending_is_sent_exactly_once_after_the_lease(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    taken = claim(engine, clock)  # ... and the worker is killed
    dispatcher = make_dispatcher(lease=LEASE)

    during = await dispatcher.run_once()
    clock.advance(minutes=5, seconds=1)
    after = await dispatcher.run_once()
    later = await dispatcher.run_once()

    assert during.sent == 1  # only the chat row: the e-mail is still leased
    assert (after.sent, later.handled) == (1, 0)
    [row] = outbox(engine)
    assert (row.state, row.attempts, row.message_id) == ("sent", 2, taken.message_id)
    assert received_ids(smtp_handler) == {taken.message_id: 1}


async def test_a_row_abandoned_after_sending_is_resent_once_with_the_same_message_id(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        campaigns: dict[str, Campaign], make_dispatcher: MakeDispatcher,
        smtp_server: LoopbackController, smtp_handler: CollectingHandler) -> None:
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    taken = claim(engine, clock)
    await send_as_the_doomed_worker(taken, campaigns["fr-2026"], smtp_server)
    dispatcher = make_dispatcher(lease=LEASE)

    clock.advance(minutes=6)
    await dispatcher.run_once()
    await dispatcher.run_once()

    [row] = outbox(engine)
    assert (row.state, row.message_id) == ("sent", taken.message_id)
    assert received_ids(smtp_handler) == {taken.message_id: 2}
    first, second = (item.message for item in smtp_handler.received)
    assert first["Date"] == second["Date"]
    assert first["Subject"] == second["Subject"]


async def test_a_worker_whose_lease_was_taken_over_cannot_overwrite_the_outcome(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    slow = claim(engine, clock)
    clock.advance(minutes=6)
    await make_dispatcher(lease=LEASE).run_once()  # takes over and sends

    late = claims.mark_retry(engine, slow, at=clock(), error="timeout")

    assert late is False
    [row] = outbox(engine)
    assert (row.state, row.last_error) == ("sent", None)


async def test_a_row_that_kills_its_worker_every_time_is_given_up(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    for _ in range(3):
        claim(engine, clock)  # every worker taking it dies
        clock.advance(minutes=6)

    await make_dispatcher(lease=LEASE, policy=RetryPolicy(max_attempts=3)).run_once()

    [row] = outbox(engine)
    assert row.state == "dead"
    assert (row.last_error or "").startswith("gave up after 3 attempts")
    assert smtp_handler.received == []
