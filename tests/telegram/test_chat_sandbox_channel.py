"""``cashback run`` without a token: the bot on the local Bot API server, and the chat page."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any, Literal

import aiohttp
import pytest

from bot.bootstrap import App
from bot.telegram.channel import ChatChannel

Transcript = dict[str, Any]
HANG_GUARD_POLLS = 40  # each poll waits up to 25 s on the server for something new


async def transcript_until(session: aiohttp.ClientSession, url: str, lang: str,
                           done: Callable[[Transcript], bool]) -> Transcript:
    version = ""
    for _ in range(HANG_GUARD_POLLS):
        async with session.get(f"{url}sandbox/transcript",
                               params={"lang": lang, "version": version}) as answer:
            data: Transcript = await answer.json()
        if done(data):
            return data
        version = data["version"]
    raise AssertionError(f"never happened; last transcript: {data}")


def bot_says(text: str) -> Callable[[Transcript], bool]:
    return lambda data: any(not m["mine"] and text in m["text"] for m in data["messages"])


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_the_sandbox_chat_page_talks_to_the_bot(
        cashback: App, mode: Literal["polling", "webhook"]) -> None:
    cashback.settings.sandbox_port = 0
    cashback.settings.telegram_mode = mode
    channel = ChatChannel(cashback)
    channel.start()
    try:
        assert channel.page_url is not None
        assert channel.sender is not None
        async with aiohttp.ClientSession() as session:
            async with session.get(channel.page_url) as page:
                assert "sandbox" in await page.text()
            async with session.post(f"{channel.page_url}sandbox/send",
                                    json={"lang": "it", "text": "/start"}):
                pass
            data = await transcript_until(session, channel.page_url, "it", bot_says("Giulia"))
    finally:
        channel.stop()

    assert data["messages"][0]["text"] == "/start"


async def test_a_busy_sandbox_port_falls_back_to_a_free_one(cashback: App) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = int(taken.getsockname()[1])
        cashback.settings.sandbox_port = busy
        channel = ChatChannel(cashback)
        channel.start()
        try:
            assert channel.page_url is not None
            assert f":{busy}/" not in channel.page_url
        finally:
            channel.stop()
