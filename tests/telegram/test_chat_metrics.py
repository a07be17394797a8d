"""Chat updates and registrations are counted for /metrics, failures apart, ids in the logs."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from telegram_support import linked, serial_of

from bot.bootstrap import App
from bot.observability.logs import context_ids, install_context_ids
from bot.observability.metrics import count_errors, registry
from sandbox.botapi.people import Person

People = Callable[..., Person]


def counted(metrics: CollectorRegistry, name: str, **labels: str) -> float:
    return metrics.get_sample_value(name, labels) or 0.0


async def test_updates_are_counted_by_kind_and_outcome(cashback: App, person: People) -> None:
    metrics = registry(cashback.engine, cashback.clock)
    before_start = counted(metrics, "cashback_updates_total", kind="command:start",
                           outcome="ok")
    before_failed = counted(metrics, "cashback_updates_total", kind="command:status",
                            outcome="error")
    before_other = counted(metrics, "cashback_updates_total", kind="command:other",
                           outcome="ok")
    count_errors()
    before_errors = counted(metrics, "cashback_errors_total", component="telegram")
    marie = person("Marie", "fr")

    await marie.send("/start")
    await marie.send("/made_up_command_name")
    with cashback.engine.begin() as connection:
        connection.execute(text("DROP TABLE chat_conversation"))
    await marie.send("/status")

    assert counted(metrics, "cashback_updates_total", kind="command:start",
                   outcome="ok") == before_start + 1
    assert counted(metrics, "cashback_updates_total", kind="command:other",
                   outcome="ok") == before_other + 1
    assert counted(metrics, "cashback_updates_total", kind="command:status",
                   outcome="error") == before_failed + 1
    assert counted(metrics, "cashback_errors_total", component="telegram") == before_errors + 1


async def test_registrations_in_chat_are_counted_by_outcome(cashback: App,
                                                          person: People) -> None:
    metrics = registry(cashback.engine, cashback.clock)
    before = counted(metrics, "cashback_registrations_total", channel="chat",
                     outcome="pending_payment")
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    await marie.send(f"/register {serial_of(cashback, 'STP-SE')} STP-SE 01/06/2026")

    assert counted(metrics, "cashback_registrations_total", channel="chat",
                   outcome="pending_payment") == before + 1


async def test_log_lines_of_an_update_carry_its_id(
        cashback: App, person: People, caplog: pytest.LogCaptureFixture) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    with cashback.engine.begin() as connection:
        connection.execute(text("DROP TABLE chat_conversation"))

    install_context_ids()

    with caplog.at_level(logging.ERROR, logger="cashback.telegram"):
        await marie.send("/status")

    [failure] = [r for r in caplog.records if r.getMessage().startswith("update ")]
    assert context_ids(failure)["update_id"] == int(failure.getMessage().split()[1])
