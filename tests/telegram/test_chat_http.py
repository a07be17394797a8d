"""The bot's own HTTP parts: Bot API calls over aiohttp, and the aiohttp webhook receiver."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest
from telegram.error import NetworkError, TimedOut
from telegram_support import start_bot

from bot.bootstrap import App
from bot.telegram.http import AiohttpRequest
from bot.telegram.serve import WebhookServer, stop
from sandbox.botapi.people import Person
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import World


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_bot_api_server_that_is_down_is_a_network_error() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.do_request(f"http://127.0.0.1:{free_port()}/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()


async def test_a_bot_api_server_that_never_answers_is_a_timeout() -> None:
    done = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        await done.wait()  # never answers while the client waits
        writer.close()
        await writer.wait_closed()

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()
        done.set()
        listener.close()
        await listener.wait_closed()


async def test_the_webhook_refuses_what_is_not_an_update_and_still_serves_the_rest(
        cashback: App, server: BotApiServer, world: World) -> None:
    port = free_port()
    hook = WebhookServer(listen="127.0.0.1", port=port, url_path="telegram",
                         url=f"http://127.0.0.1:{port}/telegram",
                         secret_token="sandbox-webhook-secret-456")
    application = await start_bot(cashback, server, world, webhook=hook)
    try:
        async with aiohttp.ClientSession() as session, session.post(
                hook.url, data=b"not json", headers={
                    "X-Telegram-Bot-Api-Secret-Token": hook.secret_token}) as garbage:
            status = garbage.status
        [answer] = await Person(world, "Luca", "it").send("/start")
    finally:
        await stop(application)

    assert status == 400
    assert "Ciao Luca" in answer.text
