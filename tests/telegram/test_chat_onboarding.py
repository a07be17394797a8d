"""Greeting, language, and linking a chat user to their company with the e-mailed code."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlmodel import Session, select
from telegram_support import FRENCH, ITALIAN, Clock, last_code, linked

from bot.bootstrap import App
from sandbox.botapi.people import Person
from sandbox.botapi.world import World
from storage.services.chat import LINK_CODE_TOPIC
from storage.tables import ChatUser, Company, OutboxMessage

People = Callable[..., Person]


async def test_start_greets_in_french_for_a_french_telegram(person: People) -> None:
    [answer] = await person("Marie", "fr-FR").send("/start")

    assert "Bonjour Marie" in answer.text
    assert "/link" in answer.text


async def test_start_greets_in_italian_for_an_italian_telegram(person: People) -> None:
    [answer] = await person("Giulia", "it").send("/start")

    assert "Ciao Giulia" in answer.text


async def test_start_greets_in_english_for_any_other_language(person: People) -> None:
    [answer] = await person("Hans", "de").send("/start")

    assert "Hello Hans" in answer.text


async def test_language_buttons_change_the_language(person: People) -> None:
    marie = person("Marie", "fr")
    [question] = await marie.send("/language")

    [done] = await marie.press("Italiano")

    assert done.message_id == question.message_id  # the question became the answer
    assert "italiano" in done.text
    assert marie.last_query_answered
    [greeting] = await marie.send("/start")
    assert "Ciao Marie" in greeting.text


async def test_linking_e_mails_a_code_to_the_company_and_the_code_links(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")

    [sent] = await marie.send(f"/link {FRENCH}")

    assert "c***@soleil-installations.example" in sent.text
    with Session(cashback.engine) as session:
        mail = session.exec(select(OutboxMessage)
                            .where(OutboxMessage.topic == LINK_CODE_TOPIC)).one()
        company = session.exec(select(Company).where(Company.customer_number == FRENCH)).one()
    assert mail.kind == "email"
    assert mail.company_id == company.id
    payload = json.loads(mail.payload)
    assert payload["language"] == "fr"
    assert payload["minutes"] == 15
    [done] = await marie.send(payload["code"])
    assert "✅" in done.text
    assert company.name in done.text


async def test_link_asks_for_the_customer_number_when_not_given(
        cashback: App, person: People) -> None:
    giulia = person("Giulia", "it")

    [question] = await giulia.send("/link")
    await giulia.send(ITALIAN)
    [done] = await giulia.send(last_code(cashback))

    assert "codice cliente" in question.text
    assert "Sole Impianti" in done.text


async def test_an_unknown_customer_number_gets_the_flyers_answer_to_enrol_first(
        cashback: App, person: People) -> None:
    [answer] = await person("Marie", "fr").send("/link 999999")

    assert "doit d'abord s'inscrire" in answer.text
    with Session(cashback.engine) as session:
        assert session.exec(select(OutboxMessage)).first() is None


async def test_a_wrong_code_says_how_many_attempts_are_left(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await marie.send(f"/link {FRENCH}")
    wrong = "000000" if last_code(cashback) != "000000" else "111111"

    [answer] = await marie.send(wrong)

    assert "4" in answer.text


async def test_five_wrong_codes_lock_for_an_hour_even_with_the_right_code(
        cashback: App, person: People, clock: Clock) -> None:
    marie = person("Marie", "fr")
    await marie.send(f"/link {FRENCH}")
    right = last_code(cashback)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(4):
        await marie.send(wrong)
    [locked] = await marie.send(wrong)
    assert "60" in locked.text

    await marie.send("/link")  # asks for the number again
    [still] = await marie.send(FRENCH)
    assert "minutes" in still.text
    clock.advance(minutes=61)
    await marie.send(f"/link {FRENCH}")
    [done] = await marie.send(last_code(cashback))
    assert "✅" in done.text


async def test_an_expired_code_is_refused_and_a_new_one_works(
        cashback: App, person: People, clock: Clock) -> None:
    marie = person("Marie", "fr")
    await marie.send(f"/link {FRENCH}")
    code = last_code(cashback)
    clock.advance(minutes=16)

    [expired] = await marie.send(code)

    assert "expiré" in expired.text
    await marie.send(f"/link {FRENCH}")
    [done] = await marie.send(last_code(cashback))
    assert "✅" in done.text


async def test_unlink_forgets_the_company(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    [answer] = await marie.send("/unlink")
    [status] = await marie.send("/status")

    assert "Soleil" in answer.text
    assert "/link" in status.text
    with Session(cashback.engine) as session:
        user = session.exec(select(ChatUser)).one()
    assert not user.verified
    assert user.company_id is None


async def test_a_group_chat_gets_no_company_data(
        cashback: App, person: People, world: World) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    group = marie.in_chat(world.add_group("Équipe chantier"))

    [answer] = await group.send("/status")

    assert "privée" in answer.text
    assert "Soleil" not in answer.text
