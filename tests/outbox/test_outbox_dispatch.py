"""Delivering outbox rows: sent once, retried with backoff, dead when hopeless, put back."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from outbox_support import (
    FRENCH,
    FRENCH_EMAILS,
    ITALIAN,
    SECRET,
    SILENT,
    FakeClock,
    change,
    outbox,
    queue,
    received_ids,
)
from sqlalchemy import Engine
from sqlmodel import select

from bot.mail.references import outbox_ids_in
from bot.outbox import admin
from bot.outbox.backoff import RetryPolicy
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.errors import PermanentFailure, TemporaryFailure
from bot.sandbox_mail import CollectingHandler, LoopbackController
from storage.outbox import OutboxState
from storage.tables import ChatUser, OutboxMessage
from storage.uow import UnitOfWork

MakeDispatcher = Callable[..., Dispatcher]


async def test_each_due_row_is_sent_once_and_recorded(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    queue(engine, companies[ITALIAN], [change("3000000002")], clock())
    dispatcher = make_dispatcher()

    first = await dispatcher.run_once()
    second = await dispatcher.run_once()

    assert (first.sent, first.retried, first.dead) == (4, 0, 0)  # two e-mails, two chat rows
    assert second.handled == 0
    rows = outbox(engine)
    assert [r.state for r in rows] == ["sent", "sent"]
    assert received_ids(smtp_handler) == {r.message_id: 1 for r in rows}
    assert [outbox_ids_in(r.message_id or "", SECRET) for r in rows] == [[r.id] for r in rows]
    assert [r.sent_at for r in rows] == [clock(), clock()]
    by_language = {item.message["Content-Language"]: item for item in smtp_handler.received}
    assert sorted(by_language["fr"].recipients) == sorted(FRENCH_EMAILS)
    assert "Dispositivo registrato, pagamento aperto" in by_language["it"].message["Subject"]


async def test_a_row_not_yet_due_waits(engine: Engine, companies: dict[str, int],
                                       clock: FakeClock, make_dispatcher: MakeDispatcher,
                                       smtp_handler: CollectingHandler) -> None:
    queue(engine, companies[FRENCH], [change("3000000001")], clock() + timedelta(minutes=1))

    assert (await make_dispatcher().run_once()).handled == 0
    clock.advance(minutes=1)
    assert (await make_dispatcher().run_once()).sent == 2


async def test_a_digest_of_500_changes_is_one_email(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    changes = [change(str(3_000_000_000 + n)) for n in range(499)]
    changes.append(change("3100000000", "info_required", reference="A1B2C3D4E5F6",
                          due_on=date(2026, 6, 29)))
    queue(engine, companies[FRENCH], changes, clock())

    await make_dispatcher().run_once()

    [mail] = [item.message for item in smtp_handler.received]
    assert re.fullmatch(r"500 \S.* \[CB-A1B2C3D4E5F6\]", mail["Subject"])
    html = mail.get_body(("html",))
    assert html is not None
    assert html.get_content().count("<tr>") == 501
    assert mail["Reply-To"] == "replies+A1B2C3D4E5F6@cashback.example"


async def test_the_smtp_server_down_for_a_while_delays_but_loses_and_doubles_nothing(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_server: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    for n in range(5):
        queue(engine, companies[FRENCH if n % 2 else ITALIAN], [change(f"300000000{n}")],
              clock())
    dispatcher = make_dispatcher(chat=None)
    smtp_server.stop()

    for _ in range(3):  # three passes while the server is down, each after the backoff
        report = await dispatcher.run_once()
        assert report.retried == 5
        assert {r.state for r in outbox(engine)} == {"pending"}
        clock.advance(hours=1)
    smtp_server.start()
    back = await dispatcher.run_once()
    again = await dispatcher.run_once()

    assert back.sent == 5
    assert again.handled == 0
    rows = outbox(engine)
    assert [r.state for r in rows] == ["sent"] * 5
    assert [r.attempts for r in rows] == [4] * 5
    assert received_ids(smtp_handler) == {r.message_id: 1 for r in rows}


async def test_temporary_failures_wait_longer_each_time(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    smtp_handler.refusals = dict.fromkeys(FRENCH_EMAILS, "451 4.3.0 try later")
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    policy = RetryPolicy(base=timedelta(seconds=30), cap=timedelta(minutes=4), max_attempts=9)
    dispatcher = make_dispatcher(policy=policy)

    waits = []
    for _ in range(6):
        await dispatcher.run_once()
        [row] = outbox(engine)
        waits.append(row.next_attempt_at - clock())
        clock.now = row.next_attempt_at

    full = [timedelta(seconds=30 * 2 ** n) for n in range(6)]
    for wait, ceiling in zip(waits, full, strict=True):
        assert min(ceiling, policy.cap) / 2 <= wait <= min(ceiling, policy.cap)
    assert row.state == "pending"
    assert "451" in (row.last_error or "")
    assert row.attempts == 6


async def test_retrying_stops_after_the_last_attempt(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    smtp_handler.refusals = dict.fromkeys(FRENCH_EMAILS, "451 4.3.0 try later")
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    dispatcher = make_dispatcher(policy=RetryPolicy(max_attempts=3))

    for _ in range(3):
        await dispatcher.run_once()
        clock.advance(hours=2)

    [row] = outbox(engine)
    assert row.state == "dead"
    assert (row.last_error or "").startswith("gave up after 3 attempts")


async def test_a_permanent_refusal_makes_the_row_dead_with_the_servers_reason(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    smtp_handler.refusals = dict.fromkeys(FRENCH_EMAILS, "550 5.1.1 no such user")
    queue(engine, companies[FRENCH], [change("3000000001")], clock())

    report = await make_dispatcher().run_once()

    [row] = outbox(engine)
    assert report.dead == 1
    assert row.state == "dead"
    assert "550 5.1.1 no such user" in (row.last_error or "")
    assert row.attempts == 1


async def test_one_bouncing_address_does_not_stop_the_company_from_being_told(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    smtp_handler.refusals = {FRENCH_EMAILS[1]: "550 5.1.1 no such user"}
    queue(engine, companies[FRENCH], [change("3000000001")], clock())

    await make_dispatcher().run_once()

    [row] = outbox(engine)
    assert row.state == "sent"
    assert f"{FRENCH_EMAILS[1]}: 550" in (row.last_error or "")
    assert [item.recipients for item in smtp_handler.received] == [(FRENCH_EMAILS[0],)]


async def test_a_company_without_any_address_is_a_dead_row(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    queue(engine, companies[SILENT], [change("3000000001")], clock())

    await make_dispatcher().run_once()

    [row] = outbox(engine)
    assert row.state == "dead"
    assert "no valid registered e-mail address" in (row.last_error or "")


async def test_a_topic_without_an_email_is_a_dead_row_not_a_guess(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    queue(engine, companies[FRENCH], [change("3000000001")], clock(), topic="newsletter")

    await make_dispatcher().run_once()

    [row] = outbox(engine)
    assert row.state == "dead"
    assert "newsletter" in (row.last_error or "")


async def test_a_dead_row_put_back_by_the_operator_is_sent(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    smtp_handler.refusals = dict.fromkeys(FRENCH_EMAILS, "550 5.7.1 blocked")
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    dispatcher = make_dispatcher()
    await dispatcher.run_once()
    [dead] = outbox(engine)
    assert [r.id for r in admin.list_rows(engine, [OutboxState.DEAD])] == [dead.id]

    smtp_handler.refusals = {}  # the postmaster lifted the block
    result = admin.retry(engine, now=clock(), all_dead=True)
    await dispatcher.run_once()

    assert result.requeued == [dead.id]
    [row] = outbox(engine)
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, None)
    assert received_ids(smtp_handler) == {dead.message_id: 1}


def test_a_sent_row_is_not_sent_again_by_retry(engine: Engine, companies: dict[str, int],
                                               clock: FakeClock) -> None:
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    [row] = outbox(engine)
    with UnitOfWork(engine) as uow:
        stored = uow.session.get(OutboxMessage, row.id)
        assert stored is not None
        stored.state = OutboxState.SENT.value
        uow.session.add(stored)
        uow.commit()

    result = admin.retry(engine, now=clock(), ids=[row.id or 0, 999_999])

    assert result.already_sent == [row.id]
    assert result.unknown == [999_999]
    assert result.requeued == []


@dataclass
class RecordingChat:
    """Stands in for the Telegram channel (not built yet): records what it was asked to send."""

    sent: list[tuple[int, str]] = field(default_factory=list)
    failures: dict[int, Exception] = field(default_factory=dict)

    async def send(self, chat_user_telegram_id: int, text: str, *, key: str,
                   buttons: Sequence[tuple[str, str]] = ()) -> None:
        failure = self.failures.pop(chat_user_telegram_id, None)
        if failure is not None:
            raise failure
        self.sent.append((chat_user_telegram_id, text))


def add_chat_user(engine: Engine, company_id: int, telegram_id: int, language: str,
                  clock: FakeClock, *, verified: bool = True,
                  notifications: bool = True) -> None:
    with UnitOfWork(engine) as uow:
        uow.session.add(ChatUser(telegram_user_id=telegram_id, company_id=company_id,
                                 language=language, verified=verified,
                                 notifications=notifications, created_at=clock()))
        uow.commit()


async def test_without_verified_chat_users_the_chat_row_is_delivered_to_nobody(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    add_chat_user(engine, companies[FRENCH], 11, "fr", clock, verified=False)
    queue(engine, companies[FRENCH], [change("3000000001")], clock())

    await make_dispatcher(chat=None).run_once()

    [row] = outbox(engine, "chat")
    assert row.state == "sent"
    assert "nobody" in (row.last_error or "")


async def test_chat_rows_go_to_each_verified_user_in_their_language(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    add_chat_user(engine, companies[FRENCH], 11, "fr", clock)
    add_chat_user(engine, companies[FRENCH], 12, "it", clock)
    add_chat_user(engine, companies[FRENCH], 13, "fr", clock, notifications=False)
    add_chat_user(engine, companies[ITALIAN], 14, "it", clock)
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    chat = RecordingChat()

    await make_dispatcher(chat=chat).run_once()

    assert [user for user, _ in chat.sent] == [11, 12]
    assert "Enregistrement terminé, paiement en attente" in chat.sent[0][1]
    assert "Dispositivo registrato, pagamento aperto" in chat.sent[1][1]


async def test_a_chat_retry_skips_the_users_already_served(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    for telegram_id in (11, 12, 13):
        add_chat_user(engine, companies[FRENCH], telegram_id, "fr", clock)
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    chat = RecordingChat(failures={12: TemporaryFailure("telegram timeout"),
                                   13: PermanentFailure("bot blocked by the user")})
    dispatcher = make_dispatcher(chat=chat)

    await dispatcher.run_once()
    [row] = outbox(engine, "chat")
    assert row.state == "pending"
    clock.advance(hours=1)
    await dispatcher.run_once()

    assert [user for user, _ in chat.sent] == [11, 12]  # 13 blocked the bot: not asked again
    [row] = outbox(engine, "chat")
    assert row.state == "sent"
    assert "13: bot blocked by the user" in (row.last_error or "")


async def test_chat_rows_wait_while_the_chat_channel_is_not_running(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    add_chat_user(engine, companies[FRENCH], 11, "fr", clock)
    queue(engine, companies[FRENCH], [change("3000000001")], clock())

    report = await make_dispatcher(chat=None).run_once()

    [row] = outbox(engine, "chat")
    assert report.postponed == 1
    assert (row.state, row.attempts) == ("pending", 0)
    assert row.next_attempt_at > clock()


@pytest.mark.parametrize("kind", ["email", "chat"])
async def test_a_row_of_a_deleted_company_or_unknown_kind_does_not_block_the_others(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, kind: str) -> None:
    queue(engine, companies[FRENCH], [change("3000000001")], clock())
    queue(engine, companies[ITALIAN], [change("3000000002")], clock())
    with UnitOfWork(engine) as uow:
        first = uow.session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)).first()
        assert first is not None
        first.kind = "fax"
        uow.session.add(first)
        uow.commit()

    report = await make_dispatcher().run_once()

    assert (report.sent, report.dead) == (3, 1)


async def test_a_link_code_queued_by_the_chat_reaches_the_company(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher, smtp_handler: CollectingHandler) -> None:
    with UnitOfWork(engine) as uow:
        uow.session.add(OutboxMessage(
            kind="email", company_id=companies[FRENCH], topic="link_code", created_at=clock(),
            next_attempt_at=clock(), payload=json.dumps({
                "code": "482913", "language": "fr", "minutes": 15, "requested_by": "Jean"})))
        uow.commit()

    report = await make_dispatcher().run_once()

    assert report.sent == 1
    [item] = smtp_handler.received
    assert sorted(item.recipients) == sorted(FRENCH_EMAILS)
    body = item.message.get_body(("plain",))
    assert body is not None
    assert "482913" in body.get_content()
