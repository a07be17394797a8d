"""The bulk template in chat: the blank workbook, and importing the filled-in file.

The import reads, judges and stores every row with the same engine as ``cashback
import-template``; the user sees a progress message that becomes the summary, then gets the
result workbook with one result per row.
"""

from __future__ import annotations

from telegram import InputFile, Message, Update
from telegram.constants import ChatAction

from bot.observability.metrics import count_registrations
from bot.render import import_row_lines, import_summary_text
from bot.telegram.files import IncomingFile, download
from bot.telegram.turn import MAX_MESSAGE, Context, Turn, split_text
from core.i18n import LocalizedError
from core.statuses import Channel
from core.template import (
    Limits,
    TemplateError,
    TemplateErrorCode,
    build_result_workbook,
    build_template,
    template_error_text,
)
from storage.services.imports import ImportReport, import_template


def limits(turn: Turn) -> Limits:
    """The upload limits from the settings, never above what Telegram lets a bot download."""
    settings = turn.app.settings
    return Limits(max_rows=settings.template_max_rows,
                  max_bytes=min(settings.template_max_bytes, settings.chat_max_upload_bytes))


async def template(update: Update, context: Context) -> None:
    """``/template``: the campaign's template in the user's language."""
    turn = await Turn.begin(update, context)
    if not await turn.require_company():
        return
    t, campaign = turn.t, turn.campaign
    await context.bot.send_chat_action(turn.chat_id, ChatAction.UPLOAD_DOCUMENT)
    workbook = await turn.db(build_template, campaign, turn.language, t, limits(turn))
    await context.bot.send_document(
        turn.chat_id, InputFile(workbook, filename=f"cashback-{campaign.code}.xlsx"),
        caption=t.gettext("Fill in one row per device, then send the file back here, as "
                          ".xlsx or saved as .csv."))


async def import_upload(turn: Turn, incoming: IncomingFile) -> None:
    """Import an uploaded template and answer with the summary and the result workbook."""
    t, language, bounds = turn.t, turn.language, limits(turn)
    if incoming.size is not None and incoming.size > bounds.max_bytes:
        too_large = TemplateError(TemplateErrorCode.TOO_LARGE, limit=bounds.max_bytes)
        await turn.reply(template_error_text(too_large, t, language))
        return
    progress = await turn.reply(t.gettext("⏳ Reading %(file)s and checking every row…")
                                % {"file": incoming.name})
    await turn.context.bot.send_chat_action(turn.chat_id, ChatAction.TYPING)
    data = await download(turn.context.bot, incoming)
    try:
        report = await turn.db(_import, turn, data, incoming.name, bounds)
    except TemplateError as error:
        await _conclude(turn, progress, template_error_text(error, t, language))
        return
    except LocalizedError as error:  # the company cannot import (not enrolled)
        await _conclude(turn, progress, error.text(t))
        return
    campaign = turn.campaign
    lines = [import_summary_text(report, campaign, t, language),
             *import_row_lines(report, campaign, t, language)]
    await _conclude(turn, progress, "\n".join(lines))
    if report.read is not None:
        result = await turn.db(build_result_workbook, report.read, report.results, campaign,
                               language, t)
        name = incoming.name.rsplit(".", 1)[0]
        await turn.context.bot.send_document(
            turn.chat_id, InputFile(result, filename=f"{name}-result.xlsx"),
            caption=t.gettext("Your rows with their result, and a summary sheet."))


async def _conclude(turn: Turn, progress: Message, text: str) -> None:
    """The progress message becomes the answer (longer answers continue below it)."""
    parts = split_text(text, MAX_MESSAGE)
    await progress.edit_text(parts[0])
    for part in parts[1:]:
        await turn.reply(part)


def _import(turn: Turn, data: bytes, filename: str, bounds: Limits) -> ImportReport:
    assert turn.company is not None
    with turn.app.uow() as uow:
        report = import_template(uow, campaign=turn.campaign,
                                 customer_number=turn.company.customer_number, data=data,
                                 filename=filename, channel=Channel.TEMPLATE,
                                 actor=f"chat:{turn.profile.telegram_user_id}", now=turn.now(),
                                 limits=bounds)
    if not report.duplicate:
        count_registrations(Channel.TEMPLATE.value, report.counts)
    return report
