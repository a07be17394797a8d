"""Documents in chat for a registration waiting for them (information required).

The user taps "Send documents" on a request (or replies to its message, or just sends files
and then says which device), sends PDF/JPEG/PNG files or photos, and confirms. The checks are
the e-mail channel's (type by content, size and count limits) and so is the effect: the
files are stored and the registration goes under review, in one transaction.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.handlers.status import DOCUMENTS
from bot.mail.attachments import sniff
from bot.render import product_name
from bot.telegram.files import IncomingFile, download
from bot.telegram.turn import Context, Turn
from core.replies import ReplyProblem, reply_problem_text
from core.statuses import Channel, IllegalTransition, Status
from core.wording import documents_text, status_name
from storage.services.open_requests import (
    OpenRequest,
    company_open_requests,
    open_request_for_serial,
)
from storage.services.review import IncomingDocument, record_documents

WAITING = "documents:waiting"  # for one serial: {"serial": ..., "files": [...]}
CHOOSING = "documents:choosing"  # files first, device next: {"files": [...]}
SEND = "docsend"
MAX_CHOICES = 10


class _NotWaiting(Exception):
    """The registration no longer waits for documents (or is not the company's)."""


async def for_serial_tapped(update: Update, context: Context) -> None:
    """"Send documents for SERIAL" was tapped."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    if not await turn.require_company():
        return
    assert update.callback_query is not None
    serial = str(update.callback_query.data).removeprefix(DOCUMENTS)
    request = await turn.db(_request, turn, serial)
    if request is None:
        await turn.reply(_not_waiting(turn, serial))
        return
    files = turn.conversation.data.get("files", []) if turn.conversation.state == CHOOSING else []
    await turn.remember(WAITING, serial=request.serial, files=files)
    if files:
        await _acknowledge(turn, request.serial, files)
        return
    t = turn.t
    await turn.reply(t.gettext(
        "Please send the documents for %(serial)s (%(product)s): %(documents)s. PDF, JPEG or "
        "PNG files, or photos. Then tap ✅.") % {
        "serial": request.serial,
        "product": product_name(turn.campaign, request.product_code, turn.language),
        "documents": documents_text(request.documents, t)})


async def file_received(turn: Turn, incoming: IncomingFile) -> None:
    """A document or photo arrived outside the template: check it, keep it for sending."""
    t, settings = turn.t, turn.app.settings
    largest = min(settings.mail_max_attachment_bytes, settings.chat_max_upload_bytes)
    if incoming.size is not None and incoming.size > largest:
        await turn.reply(reply_problem_text(ReplyProblem.TOO_BIG, t, turn.language,
                                            files=[incoming.name],
                                            max_attachment_bytes=largest))
        return
    if sniff(await download(turn.context.bot, incoming)) is None:
        await turn.reply(t.gettext(
            "I cannot use %(file)s: I accept documents as PDF, JPEG or PNG files (or photos), "
            "and the bulk template as .xlsx, .xlsm or .csv.") % {"file": incoming.name})
        return
    state, data = turn.conversation.state, turn.conversation.data
    files = [*data.get("files", []), incoming.as_data()] if state in (WAITING, CHOOSING) \
        else [incoming.as_data()]
    if len(files) > settings.mail_max_attachments:
        await turn.reply(t.gettext("That is more than %(count)d files for one device. Please "
                                   "tap ✅ to send the first ones.") % {
            "count": settings.mail_max_attachments},
            [[(t.gettext("✅ Send to the campaign team"), SEND)]] if state == WAITING else None)
        return
    serial = data.get("serial") if state == WAITING else await replied_serial(turn)
    if serial is not None:
        await turn.remember(WAITING, serial=serial, files=files)
        await _acknowledge(turn, serial, files)
        return
    await _ask_which(turn, files)


async def send_tapped(update: Update, context: Context) -> None:
    """✅ was tapped: record the files and put the registration under review."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    if not await turn.require_company():
        return
    data = turn.conversation.data
    if turn.conversation.state != WAITING or not data.get("files"):
        await turn.reply(turn.t.gettext("There is nothing to send. Send the documents first."))
        return
    serial = str(data["serial"])
    documents = []
    for item in data["files"]:
        incoming = IncomingFile.from_data(item)
        content = await download(turn.context.bot, incoming)
        kind = sniff(content)
        if kind is not None:
            documents.append(IncomingDocument(incoming.name, kind, content))
    if not documents:
        await turn.reply(turn.t.gettext("There is nothing to send. Send the documents first."))
        return
    try:
        await turn.db(_record, turn, serial, documents)
    except (IllegalTransition, _NotWaiting):
        await turn.forget()
        await turn.show(_not_waiting(turn, serial))
        return
    await turn.forget()
    t = turn.t
    await turn.show(t.ngettext(
        "Thank you! %(count)d document received for %(serial)s.",
        "Thank you! %(count)d documents received for %(serial)s.", len(documents)) % {
        "count": len(documents), "serial": serial} + "\n"
        + f"🔵 {status_name(Status.UNDER_REVIEW, t)}")


async def _acknowledge(turn: Turn, serial: str, files: list[dict[str, Any]]) -> None:
    t = turn.t
    names = ", ".join(IncomingFile.from_data(f).name for f in files)
    await turn.reply(t.ngettext(
        "📎 %(serial)s: %(count)d file ready (%(names)s). Send more, or tap ✅ to send it.",
        "📎 %(serial)s: %(count)d files ready (%(names)s). Send more, or tap ✅ to send them.",
        len(files)) % {"serial": serial, "count": len(files), "names": names},
        [[(t.gettext("✅ Send to the campaign team"), SEND)]])


async def _ask_which(turn: Turn, files: list[dict[str, Any]]) -> None:
    requests = await turn.db(_requests, turn)
    t = turn.t
    if not requests:
        await turn.forget()
        await turn.reply(t.gettext("None of your devices is waiting for documents right now."))
        return
    await turn.remember(CHOOSING, files=files)
    campaign, language = turn.campaign, turn.language
    await turn.reply(t.gettext("Which device are these documents for?"),
                     [[(f"{r.serial} – {product_name(campaign, r.product_code, language)}",
                        DOCUMENTS + r.serial)] for r in requests[:MAX_CHOICES]])


async def replied_serial(turn: Turn) -> str | None:
    """The device of the request message the user replied to, if it names exactly one."""
    message = turn.update.effective_message
    replied = message.reply_to_message if message else None
    text = (replied.text or replied.caption or "") if replied else ""
    if not text:
        return None
    named = [r.serial for r in await turn.db(_requests, turn) if r.serial in text]
    return named[0] if len(named) == 1 else None


def _not_waiting(turn: Turn, serial: str) -> str:
    return turn.t.gettext("No documents are needed for %(serial)s at the moment.") % {
        "serial": serial[:40]}


def _request(turn: Turn, serial: str) -> OpenRequest | None:
    assert turn.company is not None
    with turn.app.uow() as uow:
        return open_request_for_serial(uow.session, turn.company.id, serial)


def has_open_requests(turn: Turn) -> bool:
    """Whether any of the company's devices waits for documents."""
    return bool(_requests(turn))


def _requests(turn: Turn) -> list[OpenRequest]:
    assert turn.company is not None
    with turn.app.uow() as uow:
        return company_open_requests(uow.session, turn.company.id)


def _record(turn: Turn, serial: str, documents: list[IncomingDocument]) -> None:
    if _request(turn, serial) is None:
        raise _NotWaiting(serial)
    with turn.app.uow() as uow:
        record_documents(uow, store=turn.app.documents, campaign=turn.campaign, serial=serial,
                         documents=documents, sender=f"telegram:{turn.profile.telegram_user_id}",
                         channel=Channel.CHAT, now=turn.now())
