"""Status in chat: summary with open requests first, device pages and filters, one serial."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from telegram_support import FRENCH, ITALIAN, linked, serial_of

from bot.bootstrap import App
from bot.sandbox import sandbox_devices
from core.eligibility import in_audit_sample
from core.statuses import Channel
from sandbox.botapi.people import Person
from storage.services.companies import CompanyRecord, import_companies
from storage.services.registrations import ClaimInput, register_many

People = Callable[..., Person]


def register_directly(app: App, serials: list[str], product: str = "STP-SE") -> None:
    """Registrations made elsewhere (template, e-mail), to look at in chat."""
    with app.uow() as uow:
        register_many(uow, campaign=app.campaign("fr-2026"), customer_number=FRENCH,
                      claims=[ClaimInput(s, product, date(2026, 6, 1)) for s in serials],
                      channel=Channel.TEMPLATE, actor="test", now=app.clock())


def plain_serials(app: App, product: str, count: int) -> list[str]:
    campaign = app.campaign("fr-2026")
    return [d.serial for d in sandbox_devices()
            if d.product_code == product and not in_audit_sample(d.serial, campaign)][:count]


async def test_status_shows_counts_amounts_and_open_requests_first(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    audited = serial_of(cashback, "STP-SE", audited=True)
    register_directly(cashback, [serial_of(cashback, "STP-SE"), audited])

    [summary] = await marie.send("/status")

    lines = summary.text.splitlines()
    request_line = next(i for i, line in enumerate(lines) if audited in line)
    totals_line = next(i for i, line in enumerate(lines) if "paiement en attente" in line)
    assert request_line < totals_line
    assert "29/06/2026" in lines[request_line]  # 14 days after 15/06
    assert "100,00\xa0€" in summary.text
    assert any(audited in label for label in summary.labels)


async def test_device_list_pages_forward_and_back(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serials = plain_serials(cashback, "STP-SE", 20) + plain_serials(cashback, "SHM", 5)
    register_directly(cashback, serials[:20])
    register_directly(cashback, serials[20:], "SHM")
    await marie.send("/status")

    [first] = await marie.press("(25)")
    [second] = await marie.press("▶")
    [third] = await marie.press("▶")
    [back] = await marie.press("◀")

    assert "1–10 sur 25" in first.text
    assert "11–20 sur 25" in second.text
    assert "21–25 sur 25" in third.text
    assert "▶" not in third.labels
    assert back.text == second.text
    assert first.message_id == third.message_id  # paging edits one message
    shown = "\n".join(page.text for page in (first, second, third))
    assert all(serial in shown for serial in serials)


async def test_device_list_filters_by_status(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    audited = serial_of(cashback, "STP-SE", audited=True)
    plain = serial_of(cashback, "STP-SE")
    register_directly(cashback, [plain, audited])
    await marie.send("/status")

    [page] = await marie.press("Informations supplémentaires")

    assert audited in page.text
    assert plain not in page.text
    [summary] = await marie.press("Résumé")
    assert "Soleil" in summary.text


async def test_status_of_one_serial_shows_its_history(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    audited = serial_of(cashback, "STP-SE", audited=True)
    register_directly(cashback, [audited])

    [detail] = await marie.send(f"/status {audited}")

    assert "Informations supplémentaires nécessaires" in detail.text
    assert "29/06/2026" in detail.text
    assert "15/06/2026" in detail.text  # the history's first event


async def test_another_companys_serial_is_not_shown(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = serial_of(cashback, "STP-CORE2")
    with cashback.uow() as uow:
        import_companies(uow, now=cashback.clock(), records=[CompanyRecord(
            "100002", "Photon Concurrent SAS", "fr-2026", "fr", ("office@photon.example",))])
    with cashback.uow() as uow:
        register_many(uow, campaign=cashback.campaign("fr-2026"), customer_number="100002",
                      claims=[ClaimInput(serial, None, date(2026, 6, 1))],
                      channel=Channel.CHAT, actor="test", now=cashback.clock())

    [answer] = await marie.send(f"/status {serial}")

    assert "aucun enregistrement" in answer.text


async def test_status_without_devices_says_so(cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    [summary] = await marie.send("/status")

    assert "Aucun appareil enregistré" in summary.text


async def test_status_in_italian_uses_the_italian_wording_and_amounts(
        cashback: App, person: People) -> None:
    giulia = person("Giulia", "it")
    await linked(cashback, giulia, ITALIAN)
    serial = serial_of(cashback, "EVC", "it-2026")
    with cashback.uow() as uow:
        register_many(uow, campaign=cashback.campaign("it-2026"), customer_number=ITALIAN,
                      claims=[ClaimInput(serial, "EVC", date(2026, 6, 1))],
                      channel=Channel.CHAT, actor="test", now=cashback.clock())

    [summary] = await giulia.send("/status")
    [page] = await giulia.press("Tutti i dispositivi")

    assert "Dispositivo registrato, pagamento aperto" in summary.text
    assert serial in page.text
    assert "1–1 di 1" in page.text
