"""Serials from a photo of the type label: read, shown for confirmation, then registered.

A photo (or an image sent as a file) outside an information request is read as a type label.
The bot shows each serial it read with its product and where it read it, with buttons to
confirm, correct or drop it; nothing is registered until the installer has confirmed. The
confirmed serials then go through the normal registration (installation date, verdict).
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.handlers import documents, register
from bot.label_reading import candidate_text, read_photo
from bot.render import product_name
from bot.telegram.files import IncomingFile, download
from bot.telegram.turn import Context, Turn
from core.labels import Candidate, LabelReading, Source, UnreadableImage
from core.serials import normalise_serial
from storage.masterdata import DatabaseMasterData

CONFIRMING = "labels:confirming"  # {"candidates": [...], "file": {...}}
CORRECTING = "labels:correcting"  # the same, plus "index" of the serial being corrected
NOTHING = "labels:nothing"  # {"file": {...}}: nothing readable, the photo kept for documents
PREFIX = "lb:"
OK, FIX, DROP = "lb:ok:", "lb:fix:", "lb:drop:"
TYPE, DOCUMENT = "lb:type", "lb:doc"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def image_like(incoming: IncomingFile) -> bool:
    """A photo, or a file named like an image."""
    return incoming.photo or incoming.name.lower().endswith(IMAGE_SUFFIXES)


async def photo_received(turn: Turn, incoming: IncomingFile) -> None:
    """Read the label in the photo and show what was found."""
    t, settings = turn.t, turn.app.settings
    if incoming.size is not None and incoming.size > settings.labels_max_bytes:
        await turn.reply(t.gettext("This image is too large: I can read label photos up to "
                                   "%(limit)d MB.") % {
            "limit": settings.labels_max_bytes // (1024 * 1024)})
        return
    content = await download(turn.context.bot, incoming)
    try:
        # CPU work (and the OCR program) off the event loop and off the database thread.
        reading: LabelReading = await asyncio.get_running_loop().run_in_executor(
            None, read_photo, turn.app, turn.campaign, content)
    except UnreadableImage as error:
        await turn.reply(error.text(t))
        return
    if not reading.candidates:
        await _nothing_found(turn, incoming)
        return
    candidates = [_as_data(c) for c in reading.candidates]
    await turn.remember(CONFIRMING, candidates=candidates, file=incoming.as_data())
    await _show(turn, candidates)


async def tapped(update: Update, context: Context) -> None:
    """Confirm, correct or drop one serial; or, when nothing was read, type or use as document."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    if not await turn.require_company():
        return
    assert update.callback_query is not None
    data = str(update.callback_query.data)
    state = turn.conversation.state
    if data == TYPE:
        await turn.remember(register.ASK_SERIALS)
        await turn.reply(turn.t.gettext("Please type the serial number (on the device's type "
                                        "label). Several devices? One serial per line."))
        return
    if data == DOCUMENT and state == NOTHING:
        file = IncomingFile.from_data(turn.conversation.data["file"])
        await turn.forget()
        await documents.file_received(turn, file)
        return
    candidates: list[dict[str, Any]] = list(turn.conversation.data.get("candidates", []))
    action, _, rest = data.removeprefix(PREFIX).partition(":")
    index_text, _, serial = rest.partition(":")
    index = int(index_text) if index_text.isdigit() else -1
    if state not in (CONFIRMING, CORRECTING) or action not in ("ok", "fix", "drop") \
            or not 0 <= index < len(candidates) or candidates[index]["serial"] != serial:
        await turn.reply(turn.t.gettext("This button is no longer active. Send the photo "
                                        "again."))
        return
    if action == "fix":
        kept = {k: v for k, v in turn.conversation.data.items() if k != "index"}
        await turn.remember(CORRECTING, **kept, index=index)
        await turn.reply(turn.t.gettext("Please type the serial number as printed on the label "
                                        "(instead of %(serial)s).") % {"serial": serial})
        return
    candidates[index] = {**candidates[index], "decision": action}
    await _decided(turn, candidates)


async def corrected_typed(turn: Turn, text: str) -> None:
    """The installer typed the right serial for one that was misread."""
    data = dict(turn.conversation.data)
    candidates: list[dict[str, Any]] = list(data.get("candidates", []))
    index = int(data.get("index", -1))
    serial = normalise_serial(text)[:32]
    if not serial or not 0 <= index < len(candidates):
        await turn.reply(turn.t.gettext("Please type the serial number."))
        return
    device = await turn.db(_device, turn, serial)
    candidates[index] = {**candidates[index], "serial": serial, "source": "typed",
                         "product": device, "decision": "ok"}
    await _decided(turn, candidates)


async def _decided(turn: Turn, candidates: list[dict[str, Any]]) -> None:
    """Show the list again, or, once every serial is decided, register the confirmed ones."""
    data = {k: v for k, v in turn.conversation.data.items() if k not in ("candidates", "index")}
    if any(c.get("decision") is None for c in candidates):
        await turn.remember(CONFIRMING, **data, candidates=candidates)
        await _show(turn, candidates)
        return
    confirmed = [c for c in candidates if c["decision"] == "ok"]
    await turn.show(_list_text(turn, candidates))
    if not confirmed:
        await turn.forget()
        await turn.reply(turn.t.gettext("Nothing was registered. Send another photo, or type "
                                        "the serial number."))
        return
    serials = [c["serial"] for c in confirmed]
    products = [c["product"] for c in confirmed]
    if all(products) and all(turn.campaign.product(p) for p in products):
        await register.ask_date(turn, serials, products[0],
                                None if len(set(products)) == 1 else products)
    else:
        await register.ask_product(turn, serials)


async def _show(turn: Turn, candidates: list[dict[str, Any]]) -> None:
    t = turn.t
    undecided = [(i, c) for i, c in enumerate(candidates) if c.get("decision") is None]
    buttons = [[(f"✅ {c['serial']}", f"{OK}{i}:{c['serial']}"),
                (t.gettext("✏️ Correct"), f"{FIX}{i}:{c['serial']}"),
                (t.gettext("✖ Drop"), f"{DROP}{i}:{c['serial']}")] for i, c in undecided
               if len(f"{DROP}{i}:{c['serial']}".encode()) <= register.MAX_CALLBACK]
    text = _list_text(turn, candidates) + "\n\n" + t.gettext(
        "Please compare with the label: confirm, correct or drop each serial. Nothing is "
        "registered before you confirm.")
    await turn.show(text, buttons)


def _list_text(turn: Turn, candidates: list[dict[str, Any]]) -> str:
    t, campaign = turn.t, turn.campaign
    marks = {None: "▫️", "ok": "✅", "drop": "✖"}
    lines = [t.ngettext("📷 I read this serial number on the label:",
                        "📷 I read these serial numbers on the label:", len(candidates))]
    typed = t.gettext("typed")
    for c in candidates:
        if c["source"] == "typed":
            product = product_name(campaign, c.get("product"), turn.language)
            line = f"{c['serial']} – {product} ({typed})" if c.get("product") \
                else f"{c['serial']} ({typed})"
        else:
            line = candidate_text(_candidate(c), campaign, t, turn.language)
        lines.append(f"{marks.get(c.get('decision'), '▫️')} {line}")
        if c.get("suggestions") and c.get("decision") is None:
            lines.append("   " + t.gettext("known serials close to it: %(serials)s") % {
                "serials": ", ".join(c["suggestions"])})
    return "\n".join(lines)


async def _nothing_found(turn: Turn, incoming: IncomingFile) -> None:
    t = turn.t
    await turn.remember(NOTHING, file=incoming.as_data())
    buttons = [[(t.gettext("⌨️ Type the serial number"), TYPE)]]
    if await turn.db(documents.has_open_requests, turn):
        buttons.append([(t.gettext("📎 It is a document for an information request"),
                         DOCUMENT)])
    await turn.reply(t.gettext(
        "I could not read a serial number on this photo. For a good photo of the type label: "
        "come close so the label fills the picture, keep it sharp (hold the phone still and "
        "let it focus), hold the phone parallel to the label (flat, not at an angle), avoid "
        "reflections and shadows, and keep the whole label in the picture. You can also type "
        "the serial number."), buttons)


def _as_data(candidate: Candidate) -> dict[str, Any]:
    return {"serial": candidate.serial, "product": candidate.product_code,
            "source": candidate.source.value, "known": candidate.known,
            "suggestions": list(candidate.suggestions), "decision": None}


def _candidate(data: dict[str, Any]) -> Candidate:
    return Candidate(data["serial"], Source(data["source"]), data.get("product"),
                     data.get("known"), tuple(data.get("suggestions", ())))


def _device(turn: Turn, serial: str) -> str | None:
    with turn.app.uow() as uow:
        device = DatabaseMasterData(uow.session).lookup([serial]).get(serial)
        return device.product_code if device else None
