"""Log lines: one JSON object per event in production, readable in development, with the ids
of what they are about and no e-mail address."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.observability.logs import (
    JsonFormatter,
    TextFormatter,
    configure_logging,
    install_context_ids,
    log_context,
    redact,
)
from bot.settings import Settings


def emit(caplog: pytest.LogCaptureFixture, message: str, *args: object,
         **extra: object) -> logging.LogRecord:
    with caplog.at_level(logging.INFO, logger="cashback.test"):
        caplog.clear()
        logging.getLogger("cashback.test").info(message, *args, extra=extra or None)
    [record] = caplog.records
    return record


def test_a_json_line_is_one_valid_object_with_time_level_logger_and_ids(
        caplog: pytest.LogCaptureFixture) -> None:
    record = emit(caplog, "registered %s", "3000000007", company_id=12, serial="3000000007",
                  registration_id=99)

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "cashback.test"
    assert entry["message"] == "registered 3000000007"
    assert (entry["company_id"], entry["serial"], entry["registration_id"]) == (
        12, "3000000007", 99)
    assert entry["time"].endswith("+00:00")


def test_e_mail_addresses_are_masked_in_the_message_and_the_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="cashback.test"):
        try:
            raise ValueError("refused: office@installer.example (550)")
        except ValueError:
            logging.getLogger("cashback.test").exception("mail from Boss.Name+x@mail.example.fr")
    [record] = caplog.records

    for line in (JsonFormatter().format(record), TextFormatter().format(record)):
        assert "@" not in line.replace("<e-mail>", "")
        assert "office" not in line
        assert "Boss.Name" not in line
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "mail from <e-mail>"
    assert "refused: <e-mail> (550)" in entry["exception"]


def test_context_ids_reach_records_logged_in_worker_threads(
        caplog: pytest.LogCaptureFixture) -> None:
    install_context_ids()

    async def handle_update() -> None:
        with log_context(update_id=4242, company_id=7):
            await asyncio.to_thread(logging.getLogger("cashback.test").info, "in a thread")
            logging.getLogger("cashback.test").info("explicit", extra={"company_id": 8})

    with caplog.at_level(logging.INFO, logger="cashback.test"):
        asyncio.run(handle_update())
        logging.getLogger("cashback.test").info("after the update")
    inside, explicit, after = (json.loads(JsonFormatter().format(r)) for r in caplog.records)

    assert (inside["update_id"], inside["company_id"]) == (4242, 7)
    assert (explicit["update_id"], explicit["company_id"]) == (4242, 8)
    assert "update_id" not in after


def test_text_lines_are_readable_with_the_ids_at_the_end(
        caplog: pytest.LogCaptureFixture) -> None:
    record = emit(caplog, "outbox pass", outbox_id=5, company_id=3)

    line = TextFormatter().format(record)

    assert line.endswith("INFO cashback.test: outbox pass [company_id=3 outbox_id=5]")


def test_json_in_production_text_in_the_sandbox_unless_chosen() -> None:
    assert Settings(telegram_bot_token=None).json_logs is False
    assert Settings(telegram_bot_token="123:real").json_logs is True
    assert Settings(telegram_bot_token="123:real", log_format="text").json_logs is False
    assert Settings(log_format="json").json_logs is True


def test_the_configured_handler_writes_json_to_the_current_stderr(
        capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", json_lines=True)
    try:
        with log_context(update_id=1):
            logging.getLogger("cashback.test").warning("company %s", "a@b.example")
    finally:
        logging.getLogger().removeHandler(logging.getLogger().handlers[-1])

    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line) == {**json.loads(line), "message": "company <e-mail>",
                                "update_id": 1, "level": "WARNING"}


def test_redact_leaves_ids_and_serials_alone() -> None:
    assert redact("update 5 company 7 serial 3000000007") == "update 5 company 7 serial 3000000007"
