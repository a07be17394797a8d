"""Documents in chat for a registration waiting for them: same checks and effect as e-mail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlmodel import Session, select
from telegram_support import FRENCH, ITALIAN, linked, serial_of

from bot.bootstrap import App
from core.statuses import Channel
from sandbox.botapi.people import Person
from storage.services.registrations import ClaimInput, register_many
from storage.tables import Document, Registration

People = Callable[..., Person]
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64 + b"\xff\xd9"


def waiting_for_documents(app: App, campaign: str = "fr-2026", number: str = FRENCH,
                          product: str = "STP-SE") -> str:
    """A registration the audit draw picked: information required."""
    serial = serial_of(app, product, campaign, audited=True)
    with app.uow() as uow:
        [outcome] = register_many(uow, campaign=app.campaign(campaign), customer_number=number,
                                  claims=[ClaimInput(serial, product, date(2026, 6, 1))],
                                  channel=Channel.TEMPLATE, actor="test", now=app.clock())
    assert outcome.verdict is not None
    assert outcome.verdict.status.value == "info_required"
    return serial


def status_of(app: App, serial: str) -> str:
    with Session(app.engine) as session:
        return session.exec(select(Registration.status)
                            .where(Registration.serial == serial)).one()


def documents(app: App) -> list[Document]:
    with Session(app.engine) as session:
        return list(session.exec(select(Document)))


async def test_tapping_the_request_then_sending_a_pdf_puts_it_under_review(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = waiting_for_documents(cashback)
    await marie.send("/status")

    [ask] = await marie.press(f"Envoyer les justificatifs pour {serial}")
    [ready] = await marie.send_document(PDF, "facture.pdf", "application/pdf")
    [done] = await marie.press("Envoyer à l'équipe")

    assert "facture" in ask.text
    assert "facture.pdf" in ready.text
    assert "Documents reçus, vérification en cours" in done.text
    assert status_of(cashback, serial) == "under_review"
    [stored] = documents(cashback)
    assert (stored.filename, stored.content_type, stored.channel) == (
        "facture.pdf", "application/pdf", "chat")
    assert cashback.documents.read(stored.sha256) == PDF


async def test_a_photo_in_reply_to_the_request_message_counts(
        cashback: App, person: People) -> None:
    giulia = person("Giulia", "it")
    await linked(cashback, giulia, ITALIAN)
    serial = waiting_for_documents(cashback, "it-2026", ITALIAN, "EVC")
    [detail] = await giulia.send(f"/status {serial}")

    [ready] = await giulia.send_photo(JPEG, reply_to=detail.message_id)
    [done] = await giulia.press("✅")

    assert serial in ready.text
    assert "Documenti ricevuti, verifica in corso" in done.text
    assert [d.content_type for d in documents(cashback)] == ["image/jpeg"]


async def test_files_sent_without_context_ask_which_device(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = waiting_for_documents(cashback)

    [which] = await marie.send_document(PDF, "scan.pdf")
    await marie.send_document(PDF + b"2", "scan-2.pdf")
    [ready] = await marie.press(serial)
    await marie.press("✅")

    assert "Pour quel appareil" in which.text
    assert "2 fichiers" in ready.text
    assert len(documents(cashback)) == 2


async def test_a_program_renamed_pdf_is_refused_by_its_content(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    serial = waiting_for_documents(cashback)
    await marie.send("/status")
    await marie.press(f"Envoyer les justificatifs pour {serial}")

    [refused] = await marie.send_document(b"MZ\x90\x00 this is an exe", "facture.pdf",
                                          "application/pdf")

    assert "PDF, JPEG ou PNG" in refused.text
    assert status_of(cashback, serial) == "info_required"


async def test_a_document_too_large_for_the_request_is_refused_before_download(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    waiting_for_documents(cashback)

    [refused] = await marie.send_document(PDF, "scan.pdf", size=16 * 1024 * 1024)

    assert "15 Mo" in refused.text or "15 MB" in refused.text


async def test_documents_for_a_device_not_waiting_are_refused(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    [answer] = await marie.send_document(PDF, "facture.pdf")

    assert "Aucun de vos appareils" in answer.text
    assert documents(cashback) == []
