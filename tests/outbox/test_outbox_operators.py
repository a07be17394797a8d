"""The operators' notices in the outbox: delivered to their chat, waiting for it, or done
when no operators' chat is configured."""

from __future__ import annotations

from collections.abc import Callable

from outbox_support import FRENCH, FakeClock, outbox
from sqlalchemy import Engine

from bot.outbox.dispatcher import Dispatcher
from bot.outbox.errors import TemporaryFailure
from bot.outbox.operators import NO_OPERATOR_CHAT
from storage.outbox import notify_operators
from storage.uow import UnitOfWork

MakeDispatcher = Callable[..., Dispatcher]


class RecordingAnnouncer:
    """Stands in for the Telegram group: records what it was asked to announce."""

    def __init__(self, failures: int = 0) -> None:
        self.announced: list[int] = []
        self.failures = failures

    async def announce(self, registration_id: int, *, key: str) -> str | None:
        if self.failures:
            self.failures -= 1
            raise TemporaryFailure("telegram is down")
        self.announced.append(registration_id)
        return None


def queue_notice(engine: Engine, company_id: int, clock: FakeClock) -> None:
    with UnitOfWork(engine) as uow:
        notify_operators(uow.session, company_id=company_id, registration_id=42, now=clock())
        uow.commit()


async def test_a_document_notice_is_announced_to_the_operators(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    queue_notice(engine, companies[FRENCH], clock)
    announcer = RecordingAnnouncer()

    await make_dispatcher(operator_chat=True, operators=announcer).run_once()

    assert announcer.announced == [42]
    assert [row.state for row in outbox(engine, "operator")] == ["sent"]


async def test_without_an_operators_chat_the_notice_is_done_with_a_note(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    queue_notice(engine, companies[FRENCH], clock)

    await make_dispatcher().run_once()

    [row] = outbox(engine, "operator")
    assert (row.state, row.last_error) == ("sent", NO_OPERATOR_CHAT)


async def test_the_notice_waits_for_the_chat_channel_and_survives_a_failure(
        engine: Engine, companies: dict[str, int], clock: FakeClock,
        make_dispatcher: MakeDispatcher) -> None:
    queue_notice(engine, companies[FRENCH], clock)

    postponed = await make_dispatcher(operator_chat=True, operators=None).run_once()
    clock.advance(hours=1)
    announcer = RecordingAnnouncer(failures=1)
    await make_dispatcher(operator_chat=True, operators=announcer).run_once()
    clock.advance(hours=1)
    await make_dispatcher(operator_chat=True, operators=announcer).run_once()

    assert postponed.postponed == 1
    assert announcer.announced == [42]
    [row] = outbox(engine, "operator")
    assert (row.state, row.attempts) == ("sent", 2)
