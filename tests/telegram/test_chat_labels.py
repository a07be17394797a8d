"""A photo of the type label in chat: serials read, confirmed by the installer, registered."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image
from sqlmodel import Session, select
from telegram_support import linked, serial_of, texts
from test_chat_documents import waiting_for_documents

from bot.bootstrap import App
from sandbox.botapi.people import Person
from sandbox.label_photos import Degradation, Label, photograph
from storage.tables import Registration

People = Callable[..., Person]
TILTED = Degradation(rotation=12, perspective=0.03, blur=0.7, noise=0.05, light=0.3)


def registrations(app: App) -> dict[str, str]:
    with Session(app.engine) as session:
        return {r.serial: r.status for r in session.exec(select(Registration))}


def label_photo(*serials: str, symbology: str = "datamatrix") -> bytes:
    return photograph([Label(s, symbology=symbology) for s in serials],  # type: ignore[arg-type]
                      TILTED)


async def test_a_label_photo_is_read_confirmed_then_registered(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = serial_of(cashback, "STP-SE")

    [read] = await marie.send_photo(label_photo(serial))
    assert registrations(cashback) == {}  # nothing before the installer confirms
    await marie.press(f"✅ {serial}")
    verdict = texts(await marie.press("Aujourd'hui"))

    assert serial in read.text
    assert "Sunny Tripower Smart Energy" in read.text
    assert "code-barres" in read.text
    assert "Enregistrement terminé, paiement en attente" in verdict
    assert registrations(cashback) == {serial: "pending_payment"}


async def test_during_register_a_photo_with_two_labels_offers_both(
        cashback: App, person: People) -> None:
    giulia = person("Giulia", "it")
    await linked(cashback, giulia, "200001")
    first, second = serial_of(cashback, "EVC", "it-2026"), serial_of(cashback, "STP-SE", "it-2026")
    await giulia.send("/register")

    [read] = await giulia.send_photo(label_photo(first, second, symbology="code128"))
    await giulia.press(f"✅ {first}")
    await giulia.press("Scarta")
    verdict = texts(await giulia.press("Oggi"))

    assert first in read.text
    assert second in read.text
    assert "SMA EV Charger" in read.text
    assert set(registrations(cashback)) == {first}
    assert "Dispositivo registrato" in verdict


async def test_a_misread_serial_can_be_corrected_before_registering(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    printed, meant = "3999999999", serial_of(cashback, "SHM")

    [read] = await marie.send_photo(label_photo(printed))
    await marie.press("Corriger")
    answers = await marie.send(meant)
    await marie.press("Aujourd'hui")

    assert "liste des appareils" in read.text  # not in master data: flagged
    assert meant in texts(answers)
    assert "Sunny Home Manager" in texts(answers)
    assert set(registrations(cashback)) == {meant}


async def test_a_photo_without_a_readable_label_gets_advice_and_the_typing_option(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    blank = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 180, 160)).save(blank, "JPEG")

    [advice] = await marie.send_photo(blank.getvalue())
    [typing] = await marie.press("Saisir le numéro")

    assert "étiquette" in advice.text
    assert "entière" in advice.text
    assert "numéro de série" in typing.text
    assert registrations(cashback) == {}


async def test_a_label_sent_as_a_png_file_is_read(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = serial_of(cashback, "STP-SE", skip=1)
    png = io.BytesIO()
    Image.open(io.BytesIO(label_photo(serial, symbology="qr"))).save(png, "PNG")

    [read] = await marie.send_document(png.getvalue(), "etiquette.png", "image/png")

    assert serial in read.text
    assert registrations(cashback) == {}


async def test_a_text_only_label_is_read_by_ocr(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = serial_of(cashback, "STP-CORE2")

    [read] = await marie.send_photo(label_photo(serial, symbology="none"))

    assert f"{serial} – Sunny Tripower CORE2 (texte imprimé)" in read.text
    assert read.labels[0] == f"✅ {serial}"


async def test_an_unreadable_photo_can_still_go_to_an_information_request(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = waiting_for_documents(cashback)
    invoice = io.BytesIO()
    Image.new("RGB", (640, 480), (250, 250, 250)).save(invoice, "JPEG")

    [advice] = await marie.send_photo(invoice.getvalue())
    [which] = await marie.press("justificatif pour une demande")
    [ready] = await marie.press(serial)
    [done] = await marie.press("✅")

    assert "Pour quel appareil" in which.text
    assert serial in ready.text
    assert "Documents reçus, vérification en cours" in done.text
    assert registrations(cashback)[serial] == "under_review"


async def test_a_stale_label_button_does_nothing(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    first, second = serial_of(cashback, "STP-SE"), serial_of(cashback, "STP-SE", skip=1)
    [old] = await marie.send_photo(label_photo(first))
    await marie.send_photo(label_photo(second))

    [answer] = await marie.press(f"✅ {first}", on=old)

    assert "n'est plus actif" in answer.text
    assert registrations(cashback) == {}


async def test_two_labels_of_different_products_are_registered_each_with_its_own(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    inverter, manager = serial_of(cashback, "STP-SE", skip=2), serial_of(cashback, "SHM")

    await marie.send_photo(label_photo(inverter, manager, symbology="qr"))
    await marie.press(f"✅ {inverter}")
    await marie.press(f"✅ {manager}")
    await marie.press("Hier")

    with Session(cashback.engine) as session:
        products = {r.serial: r.product_code for r in session.exec(select(Registration))}
    assert products == {inverter: "STP-SE", manager: "SHM"}
