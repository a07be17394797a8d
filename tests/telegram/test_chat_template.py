"""The bulk template in chat: download it, send it back filled in, get the results."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import openpyxl
from sqlmodel import Session, select
from telegram_support import ITALIAN, linked, serial_of, texts

from bot.bootstrap import App
from sandbox.botapi.people import Person, Reply
from sandbox.botapi.world import World
from storage.tables import Registration

People = Callable[..., Person]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def registrations(app: App) -> list[Registration]:
    with Session(app.engine) as session:
        return list(session.exec(select(Registration)))


def file_of(world: World, reply: Reply) -> bytes:
    assert reply.document is not None, reply.text
    return world.files[reply.document["file_id"]].content


def filled(template: bytes, rows: list[tuple[str, str, date]]) -> bytes:
    """The template as an installer fills it in: one row per device under the headers."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for index, (serial, product, installed) in enumerate(rows, start=2):
        sheet.cell(index, 1, serial)
        sheet.cell(index, 2, product)
        sheet.cell(index, 3, installed)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def test_the_template_comes_in_the_users_language_and_comes_back_with_results(
        cashback: App, person: People, world: World) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)
    [blank] = await marie.send("/template")
    template = file_of(world, blank)
    assert openpyxl.load_workbook(io.BytesIO(template)).sheetnames[0] == "Appareils"
    good, audited = serial_of(cashback, "STP-SE"), serial_of(cashback, "SHM", audited=True)
    upload = filled(template, [(good, "Sunny Tripower Smart Energy", date(2026, 6, 1)),
                               (audited, "Sunny Home Manager", date(2026, 6, 2)),
                               ("123", "Sunny Home Manager", date(2026, 6, 2))])

    [progress, result] = await marie.send_document(upload, "mes-appareils.xlsx", XLSX)

    assert "3 lignes lues" in progress.text  # the progress message became the summary
    assert "Ligne 4" in progress.text
    assert result.document is not None
    assert result.document["file_name"] == "mes-appareils-result.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(file_of(world, result))).worksheets[0]
    assert sheet.max_row >= 4
    assert {(r.serial, r.channel) for r in registrations(cashback)} == {
        (good, "template"), (audited, "template")}


async def test_an_italian_csv_is_imported_once_even_when_sent_twice(
        cashback: App, person: People) -> None:
    giulia = person("Giulia", "it")
    await linked(cashback, giulia, ITALIAN)
    csv = ("Numero di serie;Prodotto;Data di installazione\r\n"
           f"{serial_of(cashback, 'STP-SE', 'it-2026')};Sunny Tripower Smart Energy;"
           "01/06/2026\r\n").encode("cp1252")

    [summary, _] = await giulia.send_document(csv, "dispositivi.csv", "text/csv")
    [again] = await giulia.send_document(csv, "dispositivi.csv", "text/csv")

    assert "1 riga letta" in summary.text
    assert "già" in again.text
    assert len(registrations(cashback)) == 1


async def test_a_file_over_the_limit_is_refused_before_downloading(
        cashback: App, person: People, world: World) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    answers = await marie.send_document(b"PK\x03\x04", "enorme.xlsx", XLSX, size=25 * 1024**2)

    assert "20 Mo" in texts(answers) or "20 MB" in texts(answers)
    assert "getFile" not in world.calls


async def test_a_word_document_is_refused_with_what_is_accepted(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    [answer] = await marie.send_document(b"PK\x03\x04 word/document.xml", "facture.docx")

    assert "PDF, JPEG ou PNG" in answer.text
    assert ".xlsx" in answer.text


async def test_a_corrupt_workbook_gets_the_engines_explanation(
        cashback: App, person: People) -> None:
    marie = person("Marie", "fr")
    await linked(cashback, marie)

    [answer] = await marie.send_document(b"this is not a workbook", "appareils.xlsx", XLSX)

    assert ".xlsx" in answer.text
    assert registrations(cashback) == []
