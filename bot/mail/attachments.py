"""The files of a reply: what they really are, what to call them, which ones count.

Pure functions over bytes, used by :mod:`bot.mail.parse`. A file's type is read from its
first bytes, never from its name or declared type (SPEC: "PDF, JPEG, PNG by content"), so an
``.exe`` renamed ``.pdf`` is refused and a photo without a name is kept. Small images are
signature logos or tracking pixels, not documents, and are left out quietly.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from email.header import decode_header, make_header
from html.parser import HTMLParser

from core.replies import ReplyProblem

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
_EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg", ".jfif"), PNG: (".png",)}
# Below this size an image is a logo, an icon or a tracking pixel, not a scan or a photo.
SIGNATURE_IMAGE_BYTES = 10 * 1024
_MAX_NAME = 180


@dataclass(frozen=True)
class FilePart:
    """One file found in a message (or inside a forwarded message or a winmail.dat)."""

    filename: str
    declared_type: str
    content: bytes
    content_id: str | None = None

    @property
    def content_type(self) -> str | None:
        """PDF, JPEG or PNG by content; None for anything else."""
        return sniff(self.content)


@dataclass(frozen=True)
class Selection:
    """The documents to store, or the problem that refuses the whole message."""

    documents: tuple[FilePart, ...]
    problem: ReplyProblem | None
    offending: tuple[str, ...] = ()


def sniff(content: bytes) -> str | None:
    """The accepted type these bytes are, by their magic number."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def decode_words(value: str) -> str:
    """RFC 2047 encoded words, also where they do not belong (Outlook puts them in names)."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        return value


def safe_filename(raw: str | None, content_type: str | None, index: int) -> str:
    r"""A name safe to show and store: no path, no control characters, a fitting extension.

    ``C:\Users\me\facture.pdf`` becomes ``facture.pdf``; a nameless photo becomes
    ``document-1.jpg``; a JPEG called ``scan.pdf`` becomes ``scan.pdf.jpg`` so whoever opens
    it gets an image viewer.
    """
    name = unicodedata.normalize("NFC", decode_words(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").strip()
    if not name:
        name = f"document-{index}"
    extensions = _EXTENSIONS.get(content_type or "", ())
    if extensions and not name.lower().endswith(extensions):
        name += extensions[0]
    if len(name) > _MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:_MAX_NAME - len(extension) - 1] + dot + extension if dot and stem
                else name[:_MAX_NAME])
    return name


class _SignatureImages(HTMLParser):
    """Collects the ``cid:`` images placed inside a mail client's signature block."""

    _VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                       "meta", "source", "track", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.cids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        inside = bool(self.stack) and self.stack[-1][1]
        if tag == "img":
            source = values.get("src", "")
            if inside and source.lower().startswith("cid:"):
                self.cids.add(source[4:].strip("<>").lower())
            return
        if tag in self._VOID:
            return
        marker = f"{values.get('class', '')} {values.get('id', '')}".lower()
        self.stack.append((tag, inside or "signature" in marker))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return


def signature_cids(html_bodies: Sequence[str]) -> frozenset[str]:
    """Content-IDs of images inside signature blocks (Gmail, Outlook, Apple Mail, ...)."""
    parser = _SignatureImages()
    for html in html_bodies:
        parser.feed(html)
    parser.close()
    return frozenset(parser.cids)


def is_signature_image(part: FilePart, in_signature: frozenset[str]) -> bool:
    """A logo, icon or pixel: a small image, or one the signature block shows."""
    is_image = part.declared_type.startswith("image/") or part.content_type in (JPEG, PNG)
    if not is_image:
        return False
    cid = (part.content_id or "").strip().strip("<>").lower()
    return len(part.content) < SIGNATURE_IMAGE_BYTES or (bool(cid) and cid in in_signature)


def select_documents(parts: Sequence[FilePart], *, max_bytes: int,
                     max_count: int) -> Selection:
    """The documents a message brings, or the one problem that refuses it.

    Files that are not PDF/JPEG/PNG are left out when usable ones came with them (a vCard
    or a calendar invitation next to the invoice is not a reason to refuse the invoice);
    a message with nothing else is refused as "wrong type".
    """
    usable = [part for part in parts if part.content_type is not None]
    too_big = tuple(part.filename for part in usable if len(part.content) > max_bytes)
    if too_big:
        return Selection((), ReplyProblem.TOO_BIG, too_big)
    if len(usable) > max_count:
        return Selection((), ReplyProblem.TOO_MANY)
    if usable:
        return Selection(tuple(usable), None)
    if parts:
        return Selection((), ReplyProblem.WRONG_TYPE, tuple(part.filename for part in parts))
    return Selection((), ReplyProblem.NO_DOCUMENT)
