"""Operator commands for notifications and scheduled jobs.

``cashback outbox run [--once]``, ``cashback outbox list``, ``cashback outbox retry
ID...|--all-dead`` and ``cashback jobs run-due``; output in the operator's language, or JSON.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import datetime

from bot.bootstrap import App
from bot.operator.commands import Output
from bot.outbox import admin
from bot.outbox.worker import OutboxWorker, make_dispatcher, run_until_signal, transport_text
from bot.sandbox_mail import mail_transport
from core.i18n import N_
from storage.outbox import OutboxState

STATE_NAMES = {
    OutboxState.PENDING.value: N_("waiting"),
    OutboxState.SENDING.value: N_("being sent"),
    OutboxState.SENT.value: N_("sent"),
    OutboxState.DEAD.value: N_("failed"),
}
KIND_NAMES = {"email": N_("e-mail"), "chat": N_("chat"), "operator": N_("operators' chat")}
LIST_STATES = {
    "unsent": admin.UNSENT,
    "dead": (OutboxState.DEAD,),
    "pending": (OutboxState.PENDING,),
    "sending": (OutboxState.SENDING,),
    "sent": (OutboxState.SENT,),
    "all": tuple(OutboxState),
}


def outbox_run(app: App, args: argparse.Namespace, out: Output) -> int:
    """Deliver notifications: once (what is due now) or until stopped."""
    with mail_transport(app.settings) as (smtp, folder):
        if not out.as_json:
            out.write(transport_text(out.t, smtp, folder))
        dispatcher = make_dispatcher(app, smtp)
        if not args.once:
            out.translated("Delivering notifications as they come. Stop with Ctrl+C.")
            run_until_signal(dispatcher)
            out.translated("Stopped.")
            return 0
        report = OutboxWorker(dispatcher).run_once()
    if out.as_json:
        out.data(asdict(report))
    else:
        say_report(out, report.sent, report.retried, report.dead, report.postponed)
    return 0


def say_report(out: Output, sent: int, retried: int, dead: int, postponed: int) -> None:
    """One line saying what a dispatcher pass did."""
    out.translated("Notifications: %(sent)d sent, %(retried)d to retry later, %(dead)d failed, "
            "%(postponed)d waiting for the chat channel.",
            sent=sent, retried=retried, dead=dead, postponed=postponed)


def outbox_list(app: App, args: argparse.Namespace, out: Output) -> int:
    """Notifications that failed or wait (or those in ``--state``)."""
    rows = admin.list_rows(app.engine, LIST_STATES[args.state])
    if out.as_json:
        out.data([asdict(row) for row in rows])
        return 0
    if not rows:
        out.translated("No notification in this state.")
        return 0
    t = out.t
    for row in rows:
        attempts = t.ngettext("%(count)d attempt", "%(count)d attempts", row.attempts) % {
            "count": row.attempts}
        out.translated("#%(id)d · %(kind)s · company %(company)s · %(topic)s · %(state)s · "
                "%(attempts)s · created %(created)s · next attempt %(next)s",
                id=row.id, kind=t.gettext(KIND_NAMES.get(row.kind, row.kind)),
                company=row.customer_number, topic=row.topic,
                state=t.gettext(STATE_NAMES.get(row.state, row.state)), attempts=attempts,
                created=_when(row.created_at), next=_when(row.next_attempt_at))
        if row.last_error:
            out.translated("    last error: %(error)s", error=row.last_error)
    return 0


def outbox_retry(app: App, args: argparse.Namespace, out: Output) -> int:
    """Put failed notifications back, to be sent at once."""
    if not args.ids and not args.all_dead:
        out.translated("Give the numbers of the notifications to retry, or --all-dead.")
        return 2
    result = admin.retry(app.engine, now=app.clock(), ids=args.ids, all_dead=args.all_dead)
    if out.as_json:
        out.data(asdict(result))
        return 0 if not result.unknown else 2
    if result.requeued:
        out.translated("Queued again: %(ids)s.", ids=_ids(result.requeued))
    elif args.all_dead:
        out.translated("No failed notification to retry.")
    if result.unknown:
        out.translated("No such notification: %(ids)s.", ids=_ids(result.unknown))
    if result.already_sent:
        out.translated("Already sent, not sent again: %(ids)s.", ids=_ids(result.already_sent))
    if result.in_progress:
        out.translated("Being sent right now, left alone: %(ids)s.", ids=_ids(result.in_progress))
    return 0 if not result.unknown else 2


def jobs_run_due(app: App, args: argparse.Namespace, out: Output) -> int:
    """Expire overdue information requests and queue due reminders, as of now."""
    from bot.runner import run_jobs

    expired, reminded = run_jobs(app)
    if out.as_json:
        out.data({"expired": expired, "reminded": reminded})
    else:
        out.translated("Deadlines: %(expired)d registrations without documents in time became "
                "ineligible; %(reminded)d reminders queued.", expired=expired, reminded=reminded)
    return 0


def _ids(ids: list[int]) -> str:
    return ", ".join(f"#{number}" for number in ids)


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"
