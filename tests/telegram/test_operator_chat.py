"""The operators' chat decides exactly like the command line, and only operators can decide.

The command line runs through ``bot.cli.main`` on the same database; the chat through the
real python-telegram-bot application and the local Bot API server. Both must leave the same
status events (time aside) and queue the same notices for the company.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from databases import Database
from sqlmodel import Session, col, select
from telegram_support import FRENCH, linked, serial_of

from bot.bootstrap import App
from bot.cli import main
from bot.operator_chat.announce import TelegramOperatorAnnouncer
from bot.outbox.worker import make_dispatcher
from bot.sandbox_mail import CollectingHandler, LoopbackController
from bot.settings import Settings
from bot.telegram.application import BotApplication
from core.statuses import Channel
from sandbox.botapi.people import Person, Reply
from sandbox.botapi.world import JSON, World
from storage.outbox import changes_in
from storage.services.registrations import ClaimInput, register_many
from storage.services.review import IncomingDocument, record_documents
from storage.tables import OutboxMessage, Registration, StatusEvent

People = Callable[..., Person]
ANNE_ID, ANNE = 424242, "Anne Martin"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def group(world: World) -> JSON:
    return world.add_group("Cashback back office")


@pytest.fixture
def settings(settings: Settings, group: JSON) -> Settings:
    """The conftest's settings with the operators' group and one operator, Anne."""
    settings.operator_chat_id = int(group["id"])
    settings.operators = f"{ANNE_ID}:{ANNE}, 515151:Marc Rossi"
    return settings


@pytest.fixture
def anne(world: World, group: JSON, bot: BotApplication) -> Person:
    return Person(world, "Anne", chat=group, user=world.add_user("Anne", "fr", ANNE_ID))


@pytest.fixture
def bob(world: World, group: JSON, bot: BotApplication) -> Person:
    """A member of the group who is not an operator."""
    return Person(world, "Bob", "fr").in_chat(group)


@pytest.fixture
def smtp() -> Iterator[LoopbackController]:
    controller = LoopbackController(CollectingHandler())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def command_line(settings: Settings, database: Database,
                 monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """``cashback …`` on the chat's database, as the operator Anne."""
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("CASHBACK_DATA_DIR", str(settings.data_dir))

    def run(*argv: str) -> int:
        return main([*argv, "--operator", ANNE, "--lang", "fr"])
    return run


def under_review(app: App, count: int) -> list[str]:
    """``count`` registrations of the French demo company whose documents just arrived."""
    serials = [serial_of(app, "STP-SE", audited=True, skip=n) for n in range(count)]
    campaign = app.campaign("fr-2026")
    with app.uow() as uow:
        register_many(uow, campaign=campaign, customer_number=FRENCH,
                      claims=[ClaimInput(s, "STP-SE", app.clock().date()) for s in serials],
                      channel=Channel.TEMPLATE, actor="test", now=app.clock())
    for serial in serials:
        with app.uow() as uow:
            record_documents(uow, store=app.documents, campaign=campaign, serial=serial,
                             documents=[IncomingDocument("facture.pdf", "application/pdf",
                                                         PDF + serial.encode())],
                             sender="office@installer.example", channel=Channel.EMAIL,
                             now=app.clock())
    return serials


async def announce(app: App, bot: BotApplication, smtp: LoopbackController) -> None:
    """One outbox pass with the chat channel and the operators' chat running."""
    loop = asyncio.get_running_loop()
    operators = TelegramOperatorAnnouncer(app, bot.bot, loop, app.settings.operator_chat_id or 0)
    await make_dispatcher(app, smtp.smtp_config(), None, operators).run_once()


def assert_same_notices(app: App, by_cli: str, by_chat: str, status: str) -> None:
    """The company got the same e-mail and chat notices about both decisions."""
    rows = outbox_rows(app)
    assert notices_about(rows, by_cli) == notices_about(rows, by_chat)
    announcing = [n for n in notices_about(rows, by_cli) if f'"to_status": "{status}"' in n[4]]
    assert sorted(n[0] for n in announcing) == ["chat", "email"]


def notice_of(person: Person, serial: str) -> Reply:
    [notice] = [m for m in person.messages() if serial in m.text and m.buttons]
    return notice


def notice_of_any(person: Person, serial: str) -> Reply:
    [notice] = [m for m in person.messages() if serial in m.text and "📥" in m.text]
    return notice


def last_event(app: App, serial: str) -> tuple[Any, ...]:
    """The latest event's fields, all but the time and the row ids."""
    with Session(app.engine) as session:
        event = session.exec(select(StatusEvent).join(
            Registration, col(Registration.id) == StatusEvent.registration_id)
            .where(Registration.serial == serial).order_by(col(StatusEvent.id).desc())).first()
    assert event is not None
    return (event.actor, event.channel, event.from_status, event.to_status, event.reason,
            event.detail)


def outbox_rows(app: App) -> list[OutboxMessage]:
    with Session(app.engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def notices_about(rows: list[OutboxMessage], serial: str) -> list[tuple[Any, ...]]:
    """The company notices announcing ``serial``, its serial and id blanked for comparison."""
    found = []
    for row in rows:
        changes = changes_in(row.payload)
        if [c.serial for c in changes] != [serial]:
            continue
        blank = [c._replace(serial="S", registration_id=0)._asdict() for c in changes]
        found.append((row.kind, row.topic, row.company_id, row.state,
                      json.dumps({**json.loads(row.payload), "changes": blank}, sort_keys=True,
                                 default=str)))
    return sorted(found)


async def test_a_document_set_reaches_the_operators_chat_with_its_files_and_buttons(
        cashback: App, bot: BotApplication, anne: Person, smtp: LoopbackController) -> None:
    [serial] = under_review(cashback, 1)

    await announce(cashback, bot, smtp)

    notice = notice_of(anne, serial)
    assert "facture.pdf" in notice.text
    assert "office@installer.example" in notice.text
    assert notice.labels == ["✅ Approuver", "❌ Refuser", "📝 Demander plus"]
    [file] = [m for m in anne.messages() if m.document is not None]
    assert (file.document or {})["file_name"] == "facture.pdf"
    assert {row.state for row in outbox_rows(cashback) if row.kind == "operator"} == {"sent"}


async def test_approve_by_command_line_and_by_chat_is_the_same_event_and_notice(
        cashback: App, bot: BotApplication, anne: Person, smtp: LoopbackController,
        command_line: Callable[..., int]) -> None:
    by_cli, by_chat = under_review(cashback, 2)
    await announce(cashback, bot, smtp)

    assert command_line("review", "approve", by_cli) == 0
    [edited] = await anne.press("Approuver", on=notice_of(anne, by_chat))

    assert last_event(cashback, by_cli) == last_event(cashback, by_chat) == (
        ANNE, "operator", "under_review", "pending_payment", None, None)
    assert_same_notices(cashback, by_cli, by_chat, last_event(cashback, by_cli)[3])
    assert "Enregistrement terminé, paiement en attente" in edited.text
    assert edited.buttons == []


async def test_reject_by_command_line_and_by_chat_is_the_same_event_and_notice(
        cashback: App, bot: BotApplication, anne: Person, smtp: LoopbackController,
        command_line: Callable[..., int]) -> None:
    by_cli, by_chat = under_review(cashback, 2)
    await announce(cashback, bot, smtp)
    reason = "La facture concerne un autre appareil"

    assert command_line("review", "reject", by_cli, "--reason", reason) == 0
    [prompt] = await anne.press("Refuser", on=notice_of(anne, by_chat))
    [done, _notice] = await anne.send(reason, reply_to=prompt.message_id)

    assert last_event(cashback, by_cli) == last_event(cashback, by_chat) == (
        ANNE, "operator", "under_review", "ineligible", "rejected_after_review", reason)
    assert_same_notices(cashback, by_cli, by_chat, last_event(cashback, by_cli)[3])
    assert "raison" in prompt.text
    assert done.text.startswith(f"❌ {by_chat}")
    assert notice_of_any(anne, by_chat).buttons == []  # the notice's buttons are spent


async def test_pay_by_command_line_and_by_chat_is_the_same_event_and_notice(
        cashback: App, bot: BotApplication, anne: Person, smtp: LoopbackController,
        command_line: Callable[..., int], tmp_path: Path) -> None:
    by_cli, by_chat = under_review(cashback, 2)
    for serial in (by_cli, by_chat):
        assert command_line("review", "approve", serial) == 0
    payments = tmp_path / "paiements.csv"
    payments.write_text(f"Numéro de série;Référence;Date de paiement\n{by_cli};VIR-7;30/06/2026\n",
                        encoding="utf-8")

    assert command_line("pay", "--file", str(payments), "--campaign", "fr-2026") == 0
    [paid] = await anne.send(f"/pay {by_chat} VIR-7 30/06/2026")

    assert last_event(cashback, by_cli) == last_event(cashback, by_chat) == (
        ANNE, "operator", "pending_payment", "paid", None, "VIR-7")
    assert_same_notices(cashback, by_cli, by_chat, last_event(cashback, by_cli)[3])
    assert "Enregistrement effectué, paiement en cours" in paid.text


async def test_someone_who_is_not_an_operator_changes_nothing(
        cashback: App, bot: BotApplication, anne: Person, bob: Person, world: World,
        smtp: LoopbackController) -> None:
    [serial] = under_review(cashback, 1)
    await announce(cashback, bot, smtp)
    notice = notice_of(anne, serial)
    events, rows = last_event(cashback, serial), len(outbox_rows(cashback))

    for label in ("Approuver", "Refuser", "Demander plus"):
        assert await bob.press(label, on=notice) == []
        assert "opérateurs" in str(world.callback_answers[bob.last_query_id or ""]["text"])
    await bob.send("La facture est fausse", reply_to=notice.message_id)
    [refused] = await bob.send(f"/pay {serial} VIR-1")
    eve = Person(world, "Eve", "fr")  # forges an operator's button in her private chat
    [greeting] = await eve.send("/start")
    registration_id = int(str(notice.buttons[0]["callback_data"]).rsplit(":", 1)[1])
    await eve.press_data(f"op:a:{registration_id}", greeting)

    assert "opérateurs" in refused.text
    assert last_event(cashback, serial) == events
    assert len(outbox_rows(cashback)) == rows
    assert notice_of(anne, serial).labels == notice.labels  # the buttons are still there


async def test_asking_for_another_document_opens_a_new_request(
        cashback: App, bot: BotApplication, anne: Person, smtp: LoopbackController) -> None:
    [serial] = under_review(cashback, 1)
    await announce(cashback, bot, smtp)

    [kinds] = await anne.press("Demander plus", on=notice_of(anne, serial))
    [done] = await anne.press("protocole de mise en service", on=kinds)

    assert last_event(cashback, serial) == (ANNE, "operator", "under_review", "info_required",
                                             "operator_request", None)
    assert "protocole de mise en service" in done.text


async def test_a_decision_taken_meanwhile_on_the_command_line_is_not_taken_twice(
        cashback: App, bot: BotApplication, anne: Person, smtp: LoopbackController,
        command_line: Callable[..., int]) -> None:
    [serial] = under_review(cashback, 1)
    await announce(cashback, bot, smtp)
    assert command_line("review", "approve", serial) == 0
    rows = len(outbox_rows(cashback))

    [edited] = await anne.press("Refuser", on=notice_of(anne, serial))
    [answer, _notice] = await anne.send("trop tard", reply_to=edited.message_id)

    assert "impossible" in answer.text.lower()
    assert len(outbox_rows(cashback)) == rows


async def test_review_lists_the_queue_and_shows_a_set_again(
        cashback: App, bot: BotApplication, anne: Person) -> None:
    first, second = under_review(cashback, 2)

    [listing] = await anne.send("/review")
    shown = await anne.press(f"📥 {second}", on=listing)

    assert listing.text.index(first) < listing.text.index(second)
    [notice] = [r for r in shown if r.buttons]
    assert second in notice.text
    assert notice.labels == ["✅ Approuver", "❌ Refuser", "📝 Demander plus"]
    assert [r.document is not None for r in shown] == [False, True]


async def test_statement_sends_the_companys_workbook(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    under_review(cashback, 1)

    replies = await marie.send("/statement")

    [sent] = [r for r in replies if r.document is not None]
    assert (sent.document or {})["file_name"].endswith(".xlsx")
    assert "relevé" in sent.text.lower()
