"""Status notifications reach the company's verified, unmuted chat users through the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from telegram_support import linked, serial_of

from bot.bootstrap import App
from bot.outbox.worker import make_dispatcher
from bot.sandbox_mail import CollectingHandler, LoopbackController
from bot.telegram.application import BotApplication
from bot.telegram.sender import TelegramChatSender
from sandbox.botapi.people import Person
from sandbox.botapi.world import World

People = Callable[..., Person]


@pytest.fixture
def smtp() -> Iterator[LoopbackController]:
    controller = LoopbackController(CollectingHandler())
    controller.start()
    yield controller
    controller.stop()


async def deliver_outbox(app: App, bot: BotApplication, smtp: LoopbackController) -> None:
    sender = TelegramChatSender(bot.bot, asyncio.get_running_loop())
    await make_dispatcher(app, smtp.smtp_config(), sender).run_once()


async def test_a_status_change_reaches_every_verified_user_who_did_not_mute(
        cashback: App, person: People, bot: BotApplication,
        smtp: LoopbackController) -> None:
    marie, paul, lea = person("Marie", "fr"), person("Paul", "it"), person("Léa", "fr")
    for user in (marie, paul, lea):
        await linked(cashback, user)
    await lea.send("/notifications off")
    stranger = person("Hugo", "fr")
    await stranger.send("/start")
    audited = serial_of(cashback, "STP-SE", audited=True)
    await marie.send(f"{audited} STP-SE 01/06/2026")
    before = {p.user["first_name"]: len(p.messages()) for p in (marie, paul, lea, stranger)}

    await deliver_outbox(cashback, bot, smtp)

    after = {p.user["first_name"]: len(p.messages()) for p in (marie, paul, lea, stranger)}
    assert after == {**before, "Marie": before["Marie"] + 1, "Paul": before["Paul"] + 1}
    assert audited in marie.messages()[-1].text
    assert "Sono richieste maggiori informazioni" in paul.messages()[-1].text  # his language


async def test_a_user_who_blocked_the_bot_does_not_stop_the_others(
        cashback: App, person: People, bot: BotApplication, world: World,
        smtp: LoopbackController) -> None:
    marie, paul = person("Marie", "fr"), person("Paul", "fr")
    await linked(cashback, marie)
    await linked(cashback, paul)
    world.blocked.add(paul.chat_id)
    await marie.send(f"{serial_of(cashback, 'STP-SE')} STP-SE 01/06/2026")
    count = len(marie.messages())

    await deliver_outbox(cashback, bot, smtp)

    assert len(marie.messages()) == count + 1


async def test_notifications_can_be_turned_back_on_with_buttons(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    await marie.send("/notifications off")

    [state] = await marie.send("/notifications")
    [done] = await marie.press("Activer")

    assert "désactivées" in state.text
    assert "recevrez un message" in done.text
