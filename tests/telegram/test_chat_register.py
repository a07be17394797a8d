"""Registering devices in chat: guided with buttons, in one line, several at once, typos."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from telegram_support import ITALIAN, linked, serial_of, texts

from bot.bootstrap import App
from sandbox.botapi.people import Person
from storage.tables import Registration

People = Callable[..., Person]


def registrations(app: App) -> list[Registration]:
    with Session(app.engine) as session:
        return list(session.exec(select(Registration)))


async def test_guided_registration_with_buttons_answers_in_the_flyers_words(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = serial_of(cashback, "STP-SE")

    [ask_serial] = await marie.send("/register")
    [ask_product] = await marie.send(serial)
    assert "Sunny Home Manager" in ask_product.labels
    [chosen, ask_date] = await marie.press("Sunny Tripower Smart Energy")
    assert chosen.message_id == ask_product.message_id
    assert not chosen.buttons
    [chosen_day, verdict] = await marie.press("Aujourd'hui")

    assert "15/06/2026" in chosen_day.text
    assert "Enregistrement terminé, paiement en attente" in verdict.text
    assert "100,00\xa0€" in verdict.text
    [stored] = registrations(cashback)
    assert (stored.serial, stored.product_code, stored.channel) == (serial, "STP-SE", "chat")
    assert str(stored.installed_on) == "2026-06-15"


async def test_registration_in_italian_uses_the_italian_wording(
        cashback: App, person: People) -> None:
    giulia = person("Giulia", "it")
    await linked(cashback, giulia, ITALIAN)
    serial = serial_of(cashback, "EVC", "it-2026")

    [verdict] = await giulia.send(f"{serial} EVC 01/06/2026")

    assert "Dispositivo registrato, pagamento aperto" in verdict.text


async def test_everything_in_one_line_registers_at_once(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = serial_of(cashback, "SHM")

    [verdict] = await marie.send(f"/register {serial} Sunny Home Manager 01.06.2026")

    assert "Enregistrement terminé, paiement en attente" in verdict.text
    assert registrations(cashback)[0].installed_on.isoformat() == "2026-06-01"


async def test_several_serials_one_per_line_get_one_answer_each(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serials = [serial_of(cashback, "STP-SE", skip=i) for i in range(3)]

    await marie.send("/register")
    [ask] = await marie.send("\n".join(serials))
    await marie.press("Sunny Tripower Smart Energy")
    [_, verdicts] = await marie.press("Hier")

    assert all(serial in verdicts.text for serial in serials)
    assert len(registrations(cashback)) == 3
    assert "Quel est le produit de ces appareils" in ask.text


async def test_a_typed_date_is_read_in_the_users_format(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    await marie.send("/register")
    await marie.send(serial_of(cashback, "STP-SE"))
    await marie.press("Sunny Tripower Smart Energy")

    [verdict] = await marie.send("03/06/2026")

    assert "Enregistrement terminé" in verdict.text
    assert registrations(cashback)[0].installed_on.isoformat() == "2026-06-03"


async def test_an_unreadable_date_is_asked_again(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    await marie.send("/register")
    await marie.send(serial_of(cashback, "STP-SE"))
    await marie.press("Sunny Tripower Smart Energy")

    [again] = await marie.send("le mois dernier")
    [verdict] = await marie.send("01/06/2026")

    assert "jj/mm/aaaa" in again.text
    assert "Enregistrement terminé" in verdict.text


async def test_a_date_in_the_future_is_refused_and_asked_again(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    [refused] = await marie.send(f"{serial_of(cashback, 'STP-SE')} STP-SE 20/06/2026")
    [verdict] = await marie.send("14/06/2026")

    assert "dans le futur" in refused.text
    assert "Enregistrement terminé" in verdict.text


async def test_a_mistyped_serial_offers_the_closest_serials_as_buttons(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    good = serial_of(cashback, "STP-SE")
    typo = good[1] + good[0] + good[2:]  # first two digits swapped: no such device

    [refused] = await marie.send(f"{typo} STP-SE 01/06/2026")
    assert "faute de frappe" in refused.text
    [verdict] = await marie.press(good)

    assert "Enregistrement terminé, paiement en attente" in verdict.text
    assert [r.serial for r in registrations(cashback)] == [good]


async def test_an_unknown_product_is_asked_with_buttons(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    [ask] = await marie.send(f"{serial_of(cashback, 'STP-SE')} Sunny Boy 01/06/2026")
    [_, verdict] = await marie.press("Sunny Tripower Smart Energy")

    assert "Sunny Boy" in ask.text
    assert "Sunny Tripower Smart Energy" in ask.labels
    assert "Enregistrement terminé" in verdict.text


async def test_serial_and_product_that_do_not_match_are_refused_officially(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    [refused] = await marie.send(f"{serial_of(cashback, 'SHM')} STP-SE 01/06/2026")

    assert "Enregistrement impossible" in refused.text
    assert "ne concordent pas" in refused.text
    assert registrations(cashback) == []


async def test_registering_needs_a_linked_company(cashback: App, person: People) -> None:
    [answer] = await person("Marie", "fr").send("/register")

    assert "/link" in answer.text


async def test_an_old_button_does_not_register_anything(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    await marie.send("/register")
    await marie.send(serial_of(cashback, "STP-SE"))
    await marie.send("/cancel")

    answers = await marie.press("Sunny Tripower Smart Energy")

    assert "/register" in texts(answers)
    assert registrations(cashback) == []
