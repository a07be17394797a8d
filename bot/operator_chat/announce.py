"""Delivering the operators' notice: the document set's summary with buttons, then the files.

Runs on the bot's event loop (the outbox may run in another thread, see
:mod:`bot.telegram.sender`). A registration decided before its notice went out is still
shown, without buttons. Delivery is at least once, like every outbox row: a failure after the
text went out sends the text again with the files, and the second set of buttons acts on the
same registration (the first decision wins, the second is refused by the status diagram).
"""

from __future__ import annotations

import asyncio

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.bootstrap import App
from bot.i18n import translator
from bot.operator_chat.notice import decision_buttons, review_text
from bot.outbox.errors import PermanentFailure, TemporaryFailure
from bot.telegram.turn import keyboard
from core.statuses import Status
from storage.services.lookup import NotFound
from storage.services.review_queue import ReviewItem, review_item_by_id


class TelegramOperatorAnnouncer:
    """Implements :class:`bot.outbox.operators.OperatorAnnouncer` with the running bot."""

    def __init__(self, app: App, bot: Bot, loop: asyncio.AbstractEventLoop, chat_id: int) -> None:
        self.app = app
        self.bot = bot
        self.loop = loop
        self.chat_id = chat_id

    async def announce(self, registration_id: int, *, key: str) -> str | None:
        """Send the notice and the files to the operators' chat."""
        sending = self._announce(registration_id, key)
        if asyncio.get_running_loop() is self.loop:
            return await sending
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(sending, self.loop))

    async def _announce(self, registration_id: int, key: str) -> str | None:
        try:
            item, files = await asyncio.to_thread(self._load, registration_id)
        except NotFound as gone:
            raise PermanentFailure(f"{key}: registration {registration_id} is gone") from gone
        campaign = self.app.campaign(item.campaign_code)
        language = self.app.settings.default_language
        t = translator(language)
        buttons = decision_buttons(registration_id, t) \
            if item.status == Status.UNDER_REVIEW.value else None
        try:
            await self.bot.send_message(self.chat_id,
                                        review_text(item, campaign, t, language),
                                        reply_markup=keyboard(buttons))
            for name, content in files:
                await self.bot.send_document(self.chat_id, InputFile(content, filename=name),
                                             caption=item.serial)
        except (Forbidden, BadRequest) as refused:
            raise PermanentFailure(f"{key}: {refused.message}") from refused
        except TelegramError as error:
            raise TemporaryFailure(f"{key}: {error}") from error
        return None

    def _load(self, registration_id: int) -> tuple[ReviewItem, list[tuple[str, bytes]]]:
        with self.app.uow() as uow:
            item = review_item_by_id(uow.session, self.app.documents, registration_id)
        return item, [(d.filename, self.app.documents.read(d.sha256)) for d in item.documents]
