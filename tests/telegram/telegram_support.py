"""Helpers for the chat tests: a movable clock, starting the bot, reading what was e-mailed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.bootstrap import App
from bot.sandbox import SANDBOX_COMPANIES, sandbox_devices
from bot.telegram.application import BotApplication, Endpoint, build_application
from bot.telegram.serve import WebhookServer, start
from core.eligibility import in_audit_sample
from sandbox.botapi.people import Person, Reply
from sandbox.botapi.server import BotApiServer
from sandbox.botapi.world import World
from storage.services.chat import LINK_CODE_TOPIC
from storage.tables import OutboxMessage

TOKEN = "123456:sandbox-test-token"
PARIS = ZoneInfo("Europe/Paris")
FRENCH, ITALIAN = SANDBOX_COMPANIES[0].customer_number, SANDBOX_COMPANIES[1].customer_number


class Clock:
    """The app's clock, moved by tests: Monday 15 June 2026, 10:00 in Paris to begin with."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 15, 10, 0, tzinfo=PARIS)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def start_bot(app: App, server: BotApiServer, world: World,
                    webhook: WebhookServer | None = None) -> BotApplication:
    """The assistant's real Telegram application, talking to the local server."""
    application = build_application(
        app, TOKEN, endpoint=Endpoint(server.base_url, server.base_file_url),
        on_processed=world.processed)
    await start(application, webhook)
    return application


def serial_of(app: App, product: str, campaign_code: str = "fr-2026",
              audited: bool = False, skip: int = 0) -> str:
    """A demo device of ``product`` that the audit draw does (not) pick."""
    campaign = app.campaign(campaign_code)
    found = [d.serial for d in sandbox_devices()
             if d.product_code == product and in_audit_sample(d.serial, campaign) is audited]
    return found[skip]


def last_code(app: App) -> str:
    """The one-time code in the latest link e-mail of the outbox."""
    with Session(app.engine) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.topic == LINK_CODE_TOPIC)
                           .order_by(col(OutboxMessage.id).desc())).first()
    assert row is not None, "no link code was e-mailed"
    code = json.loads(row.payload)["code"]
    assert isinstance(code, str)
    return code


async def linked(app: App, person: Person, customer_number: str = FRENCH) -> None:
    """Link ``person`` to a company the way a user does."""
    await person.send(f"/link {customer_number}")
    [answer] = await person.send(last_code(app))
    assert "✅" in answer.text, answer.text


def texts(replies: list[Reply]) -> str:
    """Everything the bot said, for ``in`` checks."""
    return "\n".join(reply.text for reply in replies)
