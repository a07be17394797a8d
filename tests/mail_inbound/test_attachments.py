"""Which files of a reply count: by content, by size, by count; logos left out; safe names."""

from __future__ import annotations

import pytest

from bot.mail.attachments import (
    JPEG,
    PDF,
    PNG,
    FilePart,
    is_signature_image,
    safe_filename,
    select_documents,
    signature_cids,
    sniff,
)
from core.replies import ReplyProblem

PDF_BYTES = b"%PDF-1.7\n" + b"x" * 20_000
PHOTO = b"\xff\xd8\xff\xe0" + b"p" * 40_000


@pytest.mark.parametrize(("content", "expected"), [
    (b"%PDF-1.4 ...", PDF), (b"\xff\xd8\xff\xdb...", JPEG), (b"\x89PNG\r\n\x1a\n...", PNG),
    (b"MZ\x90\x00", None), (b"PK\x03\x04", None), (b"GIF89a", None), (b"", None),
    (b" %PDF-1.4", None),
])
def test_type_is_read_from_the_first_bytes(content: bytes, expected: str | None) -> None:
    assert sniff(content) == expected


@pytest.mark.parametrize(("raw", "content_type", "expected"), [
    ("C:\\Users\\Jean\\facture.pdf", PDF, "facture.pdf"),
    ("../../etc/passwd", None, "passwd"),
    ("..\\..\\scan.pdf", PDF, "scan.pdf"),
    ("", JPEG, "document-3.jpg"),
    (None, None, "document-3"),
    ("scan.pdf", JPEG, "scan.pdf.jpg"),
    ("photo.JPEG", JPEG, "photo.JPEG"),
    ("=?UTF-8?B?ZmFjdHVyZSDDqXTDqS5wZGY=?=", PDF, "facture été.pdf"),
    ("a\x00b\r\nc.pdf", PDF, "abc.pdf"),
    (".hidden.pdf", PDF, "hidden.pdf"),
])
def test_file_names_are_made_safe(raw: str | None, content_type: str | None,
                                  expected: str) -> None:
    assert safe_filename(raw, content_type, 3) == expected


def test_a_very_long_name_keeps_its_extension() -> None:
    name = safe_filename("x" * 400 + ".pdf", PDF, 1)

    assert len(name) <= 180
    assert name.endswith(".pdf")


def test_images_in_a_signature_block_are_found_by_content_id() -> None:
    html = ('<p>Bonjour <img src="cid:photo1"></p>'
            '<div class="gmail_signature"><table><tr><td><img src="cid:LOGO@x"></td></tr>'
            '</table></div><div id="Signature"><img src="cid:<sig2>"></div>'
            '<img src="cid:after">')

    assert signature_cids([html]) == {"logo@x", "sig2"}


def test_small_images_and_signature_images_are_not_documents() -> None:
    logo = FilePart("logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"l" * 20_000, "<logo@x>")
    icon = FilePart("icon.gif", "image/gif", b"GIF89a" + b"i" * 100)
    photo = FilePart("IMG_1.jpg", "image/jpeg", PHOTO, "<photo1>")
    small_pdf = FilePart("short.pdf", "application/pdf", b"%PDF-1.4 tiny")

    in_signature = frozenset({"logo@x"})

    assert is_signature_image(logo, in_signature)
    assert is_signature_image(icon, in_signature)
    assert not is_signature_image(photo, in_signature)
    assert not is_signature_image(small_pdf, in_signature)


def _files(*contents: bytes) -> list[FilePart]:
    return [FilePart(f"f{i}", "application/octet-stream", c) for i, c in enumerate(contents)]


def test_usable_files_are_kept_and_others_left_out() -> None:
    selection = select_documents(_files(PDF_BYTES, b"BEGIN:VCARD", PHOTO), max_bytes=10**6,
                                 max_count=5)

    assert ([p.filename for p in selection.documents], selection.problem) == (["f0", "f2"],
                                                                             None)


def test_a_file_over_the_size_limit_refuses_the_message() -> None:
    selection = select_documents(_files(PDF_BYTES, PHOTO), max_bytes=30_000, max_count=5)

    assert (selection.problem, selection.offending) == (ReplyProblem.TOO_BIG, ("f1",))


def test_a_file_exactly_at_the_size_limit_is_accepted() -> None:
    selection = select_documents(_files(PHOTO), max_bytes=len(PHOTO), max_count=5)

    assert selection.problem is None


def test_more_files_than_allowed_refuses_the_message() -> None:
    selection = select_documents(_files(PDF_BYTES, PDF_BYTES, PHOTO), max_bytes=10**6,
                                 max_count=2)

    assert selection.problem is ReplyProblem.TOO_MANY


def test_only_unusable_files_is_the_wrong_type_and_nothing_is_no_document() -> None:
    assert select_documents(_files(b"MZ"), max_bytes=10, max_count=1).problem is \
        ReplyProblem.WRONG_TYPE
    assert select_documents([], max_bytes=10, max_count=1).problem is \
        ReplyProblem.NO_DOCUMENT
