"""Restarts, failures, floods and the webhook: the bot stays polite and keeps its place."""

from __future__ import annotations

import socket
from collections.abc import Callable

import aiohttp
from sqlalchemy import text
from telegram_support import TOKEN, linked, serial_of, start_bot

from bot.bootstrap import App
from bot.telegram.serve import WebhookServer, stop
from sandbox.botapi.people import Person
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import World

People = Callable[..., Person]


async def test_a_restart_in_the_middle_of_a_registration_continues_it(
        cashback: App, server: BotApiServer, world: World) -> None:
    first = await start_bot(cashback, server, world)
    marie = Person(world, "Marie", "fr")
    await linked(cashback, marie)
    await marie.send("/register")
    await marie.send(serial_of(cashback, "STP-SE"))
    await stop(first)

    second = await start_bot(cashback, server, world)  # a new process, nothing in memory
    try:
        [_, ask_date] = await marie.press("Sunny Tripower Smart Energy")
        [verdict] = await marie.send("01/06/2026")
    finally:
        await stop(second)

    assert "jj/mm/aaaa" in ask_date.text
    assert "Enregistrement terminé, paiement en attente" in verdict.text


async def test_a_failure_is_answered_politely_without_details(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await marie.send("/start")
    with cashback.engine.begin() as connection:
        connection.execute(text("DROP TABLE chat_conversation"))

    [answer] = await marie.send("/status")

    assert "Désolé" in answer.text
    assert "Traceback" not in answer.text
    assert "chat_conversation" not in answer.text


async def test_a_pressed_button_that_fails_still_stops_its_spinner(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await marie.send("/language")
    with cashback.engine.begin() as connection:
        connection.execute(text("DROP TABLE chat_conversation"))

    [answer] = await marie.press("Italiano")

    assert marie.last_query_answered
    assert "Désolé" in answer.text


async def test_a_user_sending_too_fast_is_told_once_then_ignored(
        cashback: App, server: BotApiServer, world: World) -> None:
    cashback.settings.chat_rate_limit_count = 3
    application = await start_bot(cashback, server, world)
    marie, paul = Person(world, "Marie", "fr"), Person(world, "Paul", "fr")
    try:
        answers = [await marie.send("/help") for _ in range(5)]
        [others] = await paul.send("/help")
    finally:
        await stop(application)

    assert [len(a) for a in answers] == [1, 1, 1, 1, 0]
    assert "un peu vite" in answers[3][0].text
    assert "/register" in others.text  # other users are not affected


async def test_a_429_from_telegram_is_retried_by_the_rate_limiter(
        person: People, world: World) -> None:
    marie = person("Marie", "fr")
    world.flood_next = 1

    [answer] = await marie.send("/start")

    assert "Bonjour Marie" in answer.text
    assert world.flood_next == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_receives_updates_by_post_with_the_secret(
        cashback: App, server: BotApiServer, world: World) -> None:
    port = free_port()
    hook = WebhookServer(listen="127.0.0.1", port=port, url_path="telegram",
                         url=f"http://127.0.0.1:{port}/telegram",
                         secret_token="sandbox-webhook-secret-123")
    application = await start_bot(cashback, server, world, webhook=hook)
    try:
        [answer] = await Person(world, "Giulia", "it").send("/start")
        async with aiohttp.ClientSession() as session, session.post(
                hook.url, json={"update_id": 1}, headers={
                    "X-Telegram-Bot-Api-Secret-Token": "forged"}) as forged:
            status = forged.status
    finally:
        await stop(application)

    assert "Ciao Giulia" in answer.text
    assert world.webhook is not None
    assert world.webhook.secret_token == hook.secret_token
    assert status == 403


async def test_the_command_menu_is_published_in_each_language(
        bot: object, world: World) -> None:
    french = {c["command"]: c["description"] for c in world.commands["fr"]}

    assert french["register"] == "enregistrer un appareil"
    assert {c["command"] for c in world.commands[""]} == set(french)
    assert TOKEN == world.token
