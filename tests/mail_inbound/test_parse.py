"""Reading replies as mail clients really write them: the .eml corpus, one case per file."""

from __future__ import annotations

import hashlib

import pytest
from mail_support import BOSS, OFFICE, corpus

from bot.mail.attachments import JPEG, PDF, select_documents
from bot.mail.parse import ParsedMessage, parse_headers, parse_message
from core.replies import MessageKind, ReplyProblem

MAX_BYTES, MAX_COUNT = 15 * 1024 * 1024, 10


def parse(name: str) -> ParsedMessage:
    return parse_message(corpus(name))


def documents(message: ParsedMessage) -> list[tuple[str, str | None]]:
    selection = select_documents(message.files, max_bytes=MAX_BYTES, max_count=MAX_COUNT)
    assert selection.problem is None, selection
    return [(part.filename, part.content_type) for part in selection.documents]


def test_outlook_reply_documents_come_out_of_winmail_dat() -> None:
    message = parse("outlook_winmail_reply.eml")

    assert (message.kind, message.sender) == (MessageKind.PERSONAL, OFFICE)
    assert message.subject == ("RE: [CB-0A1B2C3D4E5F] Informations supplémentaires "
                               "nécessaires")
    assert documents(message) == [("Facture 2026-114.pdf", PDF)]
    assert message.files[0].content.startswith(b"%PDF-1.4")


def test_gmail_reply_keeps_the_pdf_and_drops_the_logo_of_its_signature() -> None:
    message = parse("gmail_reply_quoting.eml")

    # The logo is 12 KB, above the small-image threshold: only its place in the signature
    # block marks it as a logo.
    assert message.sender == BOSS  # From was "Boss@Installer.example"
    assert documents(message) == [("Procès-verbal MES.pdf", PDF)]


def test_forwarded_message_attachment_is_found_inside_the_rfc822_part() -> None:
    message = parse("forwarded_rfc822.eml")

    assert documents(message) == [("facture-martin.pdf", PDF)]
    assert message.recipients == ("cashback+0a1b2c3d4e5f@cashback.example",)


def test_phone_photo_sent_inline_is_a_document() -> None:
    message = parse("iphone_inline_photo.eml")

    assert documents(message) == [("IMG_0423.jpeg", JPEG)]


def test_rfc2231_encoded_and_continued_filename_is_decoded() -> None:
    assert documents(parse("rfc2231_filename.eml")) == [
        ("Procès-verbal de mise en service n°1.pdf", PDF)]


def test_a_windows_path_in_the_filename_is_stripped() -> None:
    assert documents(parse("windows_path_filename.eml")) == [("facture-juin.pdf", PDF)]


def test_an_exe_renamed_pdf_is_refused_as_the_wrong_type() -> None:
    message = parse("exe_renamed_pdf.eml")
    selection = select_documents(message.files, max_bytes=MAX_BYTES, max_count=MAX_COUNT)

    assert message.files[0].content.startswith(b"MZ")
    assert (selection.problem, selection.offending) == (ReplyProblem.WRONG_TYPE,
                                                        ("facture.pdf",))


def test_a_reply_with_only_a_small_signature_image_has_no_document() -> None:
    message = parse("no_attachment.eml")
    selection = select_documents(message.files, max_bytes=MAX_BYTES, max_count=MAX_COUNT)

    assert message.files == ()
    assert selection.problem is ReplyProblem.NO_DOCUMENT


@pytest.mark.parametrize(("name", "kind"), [
    ("out_of_office.eml", MessageKind.AUTO_REPLY),
    ("delivery_failure.eml", MessageKind.BOUNCE),
    ("mailing_list.eml", MessageKind.LIST),
    ("gmail_reply_quoting.eml", MessageKind.PERSONAL),
    ("stranger_reply_to.eml", MessageKind.PERSONAL),
])
def test_automatic_messages_are_recognised(name: str, kind: MessageKind) -> None:
    assert parse(name).kind is kind


@pytest.mark.parametrize(("header", "kind"), [
    (b"X-Autoreply: yes", MessageKind.AUTO_REPLY),
    (b"X-Autorespond: vacation", MessageKind.AUTO_REPLY),
    (b"Precedence: bulk", MessageKind.LIST),
    (b"Precedence: auto_reply", MessageKind.AUTO_REPLY),
    (b"Auto-Submitted: no", MessageKind.PERSONAL),
    (b"Return-Path: <>", MessageKind.AUTO_REPLY),
    (b"Subject: Automatic reply: away", MessageKind.AUTO_REPLY),
])
def test_automatic_message_headers(header: bytes, kind: MessageKind) -> None:
    raw = header + b"\r\nFrom: office@installer.example\r\nMessage-ID: <a@b>\r\n\r\nHi\r\n"

    assert parse_message(raw).kind is kind


def test_only_from_counts_as_the_sender_never_reply_to_or_sender() -> None:
    assert parse("stranger_reply_to.eml").sender == "billing@stranger.example"


def test_a_message_with_several_from_addresses_has_no_sender() -> None:
    raw = b"From: a@x.example, office@installer.example\r\nSubject: x\r\n\r\nbody\r\n"

    assert parse_message(raw).sender == ""


def test_a_message_without_message_id_is_known_by_the_hash_of_its_bytes() -> None:
    raw = b"From: office@installer.example\r\nSubject: no id\r\n\r\nbody\r\n"

    assert parse_message(raw).message_id == "sha256:" + hashlib.sha256(raw).hexdigest()


def test_the_thread_headers_carry_our_message_ids() -> None:
    message = parse("outlook_winmail_reply.eml")

    assert message.thread.count("<cb.7.") == 2


def test_a_message_too_big_to_fetch_is_read_from_its_headers() -> None:
    raw = corpus("gmail_reply_quoting.eml")
    headers = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"

    message = parse_headers(headers)

    assert (message.sender, message.files) == (BOSS, ())
    assert message.message_id == "<CAH4x9Lq8u0bVgq7d2Vn+Zk3=mXw@mail.gmail.com>"


def test_a_file_without_a_name_gets_one_with_the_right_extension() -> None:
    raw = (b"From: office@installer.example\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
           b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment\r\n\r\nJVBERi0xLjQKJeLjz9MK\r\n--b--\r\n")

    assert [(f.filename, f.content_type) for f in parse_message(raw).files] == [
        ("document-1.pdf", PDF)]


def test_hostile_nesting_does_not_break_the_parser() -> None:
    depth = 200
    raw = b"From: office@installer.example\r\nMIME-Version: 1.0\r\n"
    for level in range(depth):
        raw += (f"Content-Type: multipart/mixed; boundary=b{level}\r\n\r\n--b{level}\r\n"
                .encode())
    raw += b"Content-Type: text/plain\r\n\r\nhi\r\n"

    assert parse_message(raw).files == ()
