"""Manual-only devices seen in the Sunny Portal: the chat notice and its "register them all"
button, through the outbox, the local Bot API server and the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import select
from telegram_support import ITALIAN, linked, serial_of, texts

from bot.bootstrap import App
from bot.outbox.worker import make_dispatcher
from bot.sandbox_mail import CollectingHandler, LoopbackController
from bot.telegram.application import BotApplication
from bot.telegram.sender import TelegramChatSender
from sandbox.botapi.people import Person
from storage.services.portal import import_portal_export
from storage.services.portal_reports import PortalReport
from storage.tables import Registration

People = Callable[..., Person]
HEADER = ("portal_user;customer_number;customer_number_entered_at;plant;serial;product;"
          "device_added_at;commissioned_on")


@pytest.fixture
def smtp_handler() -> CollectingHandler:
    return CollectingHandler()


@pytest.fixture
def smtp(smtp_handler: CollectingHandler) -> Iterator[LoopbackController]:
    controller = LoopbackController(smtp_handler)
    controller.start()
    yield controller
    controller.stop()


def portal_export(app: App, *devices: tuple[str, str]) -> PortalReport:
    """The French sandbox company's devices in a portal export, imported."""
    lines = [HEADER] + [f"marie@soleil.example;100001;2026-05-01;Maison Roux;{serial};{product};"
                        "2026-05-20;2026-05-18" for serial, product in devices]
    with app.uow() as uow:
        return import_portal_export(uow, campaigns=app.campaigns,
                                    data="\n".join(lines).encode(), filename="export.csv",
                                    actor="operator", now=app.clock())


async def deliver_outbox(app: App, bot: BotApplication, smtp: LoopbackController) -> None:
    sender = TelegramChatSender(bot.bot, asyncio.get_running_loop())
    await make_dispatcher(app, smtp.smtp_config(), sender).run_once()


async def test_the_company_is_told_in_chat_and_by_email_and_one_tap_registers_them_all(
        cashback: App, person: People, bot: BotApplication, smtp: LoopbackController,
        smtp_handler: CollectingHandler) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    modules = [serial_of(cashback, "SHS-MODULE"), serial_of(cashback, "SHS-MODULE", skip=1)]
    charger = serial_of(cashback, "EVC-BUSINESS")
    portal_export(cashback, (modules[0], "SHS-MODULE"), (modules[1], "SHS-MODULE"),
                  (charger, "EVC-BUSINESS"))

    await deliver_outbox(cashback, bot, smtp)

    notice = marie.messages()[-1]
    assert all(serial in notice.text for serial in [*modules, charger])
    assert "18/05/2026" in notice.text
    assert notice.labels == ["Les enregistrer tous"]
    [mail] = [r.message for r in smtp_handler.received
              if "Sunny Portal" in str(r.message["Subject"])]
    body = mail.get_body(("plain",))
    assert body is not None
    assert modules[0] in body.get_content()

    answers = await marie.press("Les enregistrer tous", on=notice)

    assert texts(answers).count("Enregistrement terminé, paiement en attente") == 3
    with cashback.uow() as uow:
        stored = {r.serial: r for r in uow.session.exec(select(
            Registration))}
    assert set(stored) == {*modules, charger}
    assert {(r.channel, str(r.installed_on)) for r in stored.values()} == {("chat", "2026-05-18")}

    again = await marie.press("Les enregistrer tous", on=notice)

    assert "déjà" in texts(again)  # already registered by her company: said kindly
    assert len(stored) == 3


async def test_a_user_of_another_company_cannot_register_them(
        cashback: App, person: People, bot: BotApplication, smtp: LoopbackController) -> None:
    marie, paolo = person("Marie", "fr"), person("Paolo", "it")
    await linked(cashback, marie)
    await linked(cashback, paolo, ITALIAN)
    report = portal_export(cashback, (serial_of(cashback, "SHS-MODULE"), "SHS-MODULE"))
    await deliver_outbox(cashback, bot, smtp)
    [greeting] = await paolo.send("/status")

    answers = await paolo.press_data(f"pm:{report.import_id}", greeting)

    assert "non risultano per la vostra azienda" in texts(answers)
    with cashback.uow() as uow:
        assert uow.session.exec(select(Registration)).first() is None


async def test_a_user_who_has_not_proved_access_is_asked_to_link_first(
        cashback: App, person: People, bot: BotApplication) -> None:
    report = portal_export(cashback, (serial_of(cashback, "SHS-MODULE"), "SHS-MODULE"))
    stranger = person("Hugo", "fr")
    [hello] = await stranger.send("/start")

    answers = await stranger.press_data(f"pm:{report.import_id}", hello)

    assert "/link" in texts(answers)
    with cashback.uow() as uow:
        assert uow.session.exec(select(Registration)).first() is None
