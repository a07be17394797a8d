"""Two dispatchers at once, each with its own connection pool and event loop: every row once."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from databases import Database
from outbox_support import (
    FRENCH,
    IDENTITY,
    ITALIAN,
    FakeClock,
    change,
    outbox,
    queue,
    received_ids,
)

from bot.outbox.dispatcher import Dispatcher, DispatchReport
from bot.sandbox_mail import CollectingHandler, LoopbackController
from core.campaign import Campaign
from storage.db import make_engine

ROWS = 40


@dataclass
class SlowHandler(CollectingHandler):
    """A server that takes a moment per message, so the two workers overlap."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.005)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_handler() -> CollectingHandler:
    return SlowHandler()


def work(database: Database, campaigns: dict[str, Campaign], clock: FakeClock,
         smtp_server: LoopbackController, barrier: threading.Barrier,
         reports: list[DispatchReport], errors: list[BaseException]) -> None:
    engine = make_engine(database.url)
    try:
        dispatcher = Dispatcher(engine=engine, campaigns=campaigns, identity=IDENTITY,
                                smtp=smtp_server.smtp_config(), clock=clock)
        barrier.wait()
        reports.append(asyncio.run(dispatcher.run_once()))
    except BaseException as error:  # reported to the test, which fails on it
        errors.append(error)
    finally:
        engine.dispose()


def test_two_dispatchers_at_once_send_every_row_exactly_once(
        database: Database, companies: dict[str, int], campaigns: dict[str, Campaign],
        clock: FakeClock, smtp_server: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    for n in range(ROWS // 2):
        queue(database.engine, companies[FRENCH if n % 2 else ITALIAN],
              [change(str(3_000_000_000 + n))], clock())
    barrier = threading.Barrier(2)
    reports: list[DispatchReport] = []
    errors: list[BaseException] = []
    workers = [threading.Thread(target=work, args=(database, campaigns, clock, smtp_server,
                                                   barrier, reports, errors))
               for _ in range(2)]

    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert sum(report.sent for report in reports) == ROWS
    assert sum(report.retried + report.dead for report in reports) == 0
    rows = outbox(database.engine)
    assert {row.state for row in outbox(database.engine, None)} == {"sent"}
    assert [row.attempts for row in rows] == [1] * (ROWS // 2)
    assert received_ids(smtp_handler) == {row.message_id: 1 for row in rows}
