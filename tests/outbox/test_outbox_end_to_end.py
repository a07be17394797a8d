"""From the use cases to the inbox: what a company receives after a template and a reminder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from outbox_support import FRENCH, FakeClock, outbox
from sqlalchemy import Engine

from bot.outbox.dispatcher import Dispatcher
from bot.sandbox_mail import CollectingHandler
from core.campaign import Campaign
from core.eligibility import in_audit_sample
from core.statuses import Channel
from storage.services.deadlines import send_reminders
from storage.services.registrations import ClaimInput, register, register_many
from storage.uow import UnitOfWork

MakeDispatcher = Callable[..., Dispatcher]
INSTALLED = date(2026, 6, 1)


def sampled_serial(campaign: Campaign) -> str:
    """A serial the audit draw picks: its registration needs documents."""
    return next(str(n) for n in range(3_900_000_000, 3_900_100_000)
                if in_audit_sample(str(n), campaign))


async def test_a_500_row_template_is_one_email_to_the_company(
        engine: Engine, companies: dict[str, int], campaigns: dict[str, Campaign],
        clock: FakeClock, make_dispatcher: MakeDispatcher,
        smtp_handler: CollectingHandler) -> None:
    claims = [ClaimInput(str(3_000_000_000 + n), "STP-SE", INSTALLED) for n in range(500)]
    with UnitOfWork(engine) as uow:
        outcomes = register_many(uow, campaign=campaigns["fr-2026"], customer_number=FRENCH,
                                 claims=claims, channel=Channel.TEMPLATE, actor="chat:1",
                                 now=clock())
    assert all(o.verdict is not None and o.verdict.eligible for o in outcomes)

    report = await make_dispatcher().run_once()

    assert report.sent == 2  # one e-mail, one chat row (no chat user yet)
    [mail] = [item.message for item in smtp_handler.received]
    assert mail["Subject"].startswith("500 ")
    html = mail.get_body(("html",))
    text = mail.get_body(("plain",))
    assert html is not None
    assert text is not None
    assert html.get_content().count("<tr>") == 501
    assert "Enregistrement terminé, paiement en attente" in text.get_content()
    requests = [o.reference for o in outcomes if o.reference]
    assert requests  # the audit draw asked for documents for some of them
    assert all(f"[CB-{reference}]" in text.get_content() for reference in requests)


async def test_a_reminder_reaches_the_company_a_week_before_the_due_day(
        engine: Engine, companies: dict[str, int], campaigns: dict[str, Campaign],
        clock: FakeClock, make_dispatcher: MakeDispatcher,
        smtp_handler: CollectingHandler) -> None:
    campaign = campaigns["fr-2026"]
    serial = sampled_serial(campaign)
    with UnitOfWork(engine) as uow:
        outcome = register(uow, campaign=campaign, customer_number=FRENCH,
                           claim=ClaimInput(serial, "STP-SE", INSTALLED),
                           channel=Channel.CHAT, actor="chat:1", now=clock())
    assert outcome.reference is not None
    dispatcher = make_dispatcher()
    await dispatcher.run_once()

    clock.advance(days=7)
    with UnitOfWork(engine) as uow:
        assert send_reminders(uow, campaigns=campaigns, now=clock()) == 1
    await dispatcher.run_once()

    request_mail, reminder = (item.message for item in smtp_handler.received)
    assert request_mail["Subject"].endswith(f"[CB-{outcome.reference}]")
    due = (clock() + timedelta(days=7)).strftime("%d/%m/%Y")
    subject = reminder["Subject"]  # "Reminder: documents due on ..." in French
    assert due in subject
    assert serial in subject
    assert subject.endswith(f"[CB-{outcome.reference}]")
    assert reminder["Reply-To"] == f"replies+{outcome.reference}@cashback.example"
    assert [row.topic for row in outbox(engine)] == ["status_changed", "reminder"]
