"""The "register them all" button of the notice about manual-only devices seen in the portal.

Only a verified user of the company the notice was for may use it: the devices are looked
up by the import and the user's own company, so another company's user gets nothing.
"""

from __future__ import annotations

from telegram import Update

from bot.portal_notice import REGISTER_ALL
from bot.render import outcome_text
from bot.telegram.turn import Context, Turn
from storage.services.portal_notice import NothingToRegister, register_manual_devices
from storage.services.registrations import ClaimOutcome

PREFIX = REGISTER_ALL


async def register_all_tapped(update: Update, context: Context) -> None:
    """Register every manual-only device the notice listed, and answer with each verdict."""
    turn = await Turn.begin(update, context)
    await turn.settle()
    if not await turn.require_company():
        return
    assert update.callback_query is not None
    import_id = str(update.callback_query.data).removeprefix(PREFIX)
    if not import_id.isdigit():
        return
    try:
        outcomes = await turn.db(_register, turn, int(import_id))
    except NothingToRegister as nothing:
        await turn.reply(nothing.text(turn.t))
        return
    await turn.reply("\n\n".join(outcome_text(o, turn.campaign, turn.t, turn.language)
                                 for o in outcomes))


def _register(turn: Turn, import_id: int) -> list[ClaimOutcome]:
    assert turn.company is not None
    with turn.app.uow() as uow:
        return register_manual_devices(
            uow, campaign=turn.campaign, customer_number=turn.company.customer_number,
            import_id=import_id, actor=f"chat:{turn.profile.telegram_user_id}", now=turn.now())
