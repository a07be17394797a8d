"""What the operators' chat does, in worker threads: the command line's services, one each.

Each function runs one use case and returns the line the chat shows about it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from bot.bootstrap import App
from core.campaign import Campaign
from core.i18n import N_, Translator, day
from core.information_requests import DocumentKind, local_day
from core.serials import normalise_serial
from core.statuses import IllegalTransition, Status
from core.wording import documents_text, status_name
from storage.outbox import StatusChange
from storage.services import payments, review
from storage.services.chat import chat_user
from storage.services.chat_state import Conversation, load_conversation, save_conversation
from storage.services.lookup import NotFound
from storage.services.review_queue import ReviewItem, under_review
from storage.tables import Registration

REJECTING = "operator:reject"  # waiting for the reason: {"registration_id": ...}
USAGE = N_("/pay SERIAL REFERENCE [DATE] records one payment (or /pay #ID … with the "
           "registration's id); the date defaults to today.")


def approve(app: App, t: Translator, registration_id: int, operator: str) -> str:
    """The documents prove the claim."""
    campaign, serial = _registration(app, registration_id)
    with app.uow() as uow:
        change = review.approve(uow, campaign=campaign, serial=serial, operator=operator,
                                now=app.clock())
    return _done("✅", change, operator, t)


def reject(app: App, t: Translator, registration_id: int, operator: str, reason: str,
           telegram_user_id: int) -> str:
    """The documents do not prove the claim; the reason goes to the company."""
    campaign, serial = _registration(app, registration_id)
    _forget(app, telegram_user_id)
    with app.uow() as uow:
        change = review.reject(uow, campaign=campaign, serial=serial, reason=reason,
                               operator=operator, now=app.clock())
    return _done("❌", change, operator, t) + f"\n{reason.strip()}"


def ask(app: App, t: Translator, registration_id: int, operator: str,
        kind: DocumentKind) -> str:
    """A new information request with the campaign's deadline."""
    campaign, serial = _registration(app, registration_id)
    with app.uow() as uow:
        change = review.ask_information(uow, campaign=campaign, serial=serial,
                                        documents=(kind,), days=None, note=None,
                                        operator=operator, now=app.clock())
    line = _done("📝", change, operator, t) + f"\n{documents_text((kind,), t)}"
    if change.due_on is not None:
        line += " · " + t.gettext("due by %(day)s") % {
            "day": day(change.due_on, app.settings.default_language)}
    return line


def pay(app: App, t: Translator, operator: str, words: list[str]) -> str:
    """``/pay SERIAL|#ID REFERENCE [DATE]``: the payment file's one line, from the chat."""
    if len(words) not in (2, 3):
        return t.gettext(USAGE)
    target, reference = words[0], words[1]
    registration_id = int(target[1:]) if target.startswith("#") and target[1:].isdigit() \
        else None
    campaign = _campaign_of(app, target, registration_id)
    paid_on = _day(words[2]) if len(words) == 3 else local_day(app.clock(), campaign)
    if paid_on is None:
        return t.gettext(USAGE)
    line = payments.PaymentLine("" if registration_id else target, reference, paid_on,
                                registration_id)
    with app.uow() as uow:
        [result] = payments.record_payments(uow, campaign=campaign, lines=[line],
                                            operator=operator, now=app.clock())
    if result.outcome is payments.PaymentOutcome.PAID:
        return t.gettext("💶 %(target)s: %(status)s (%(reference)s, %(day)s) · %(operator)s") % {
            "target": target, "status": status_name(Status.PAID, t), "reference": reference,
            "day": day(paid_on, app.settings.default_language), "operator": operator}
    if result.outcome is payments.PaymentOutcome.ALREADY_PAID:
        return t.gettext("%(target)s was already paid: nothing changed.") % {"target": target}
    if result.outcome is payments.PaymentOutcome.NOT_FOUND:
        return t.gettext("%(target)s: no registration.") % {"target": target}
    return t.gettext("%(target)s: not paid (%(status)s).") % {
        "target": target, "status": status_name(Status(result.status or "ineligible"), t)}


def remember_rejection(app: App, telegram_user_id: int, registration_id: int,
                       notice_id: int) -> None:
    """The operator's next message in the chat is the reason for rejecting this one."""
    with app.uow() as uow:
        profile = chat_user(uow, telegram_user_id=telegram_user_id,
                            language=app.settings.default_language, now=app.clock())
        save_conversation(uow, chat_user_id=profile.chat_user_id,
                          conversation=Conversation(REJECTING, {
                              "registration_id": registration_id, "notice_id": notice_id}),
                          now=app.clock())


def pending_rejection(app: App, telegram_user_id: int) -> tuple[int, int] | None:
    """The registration whose rejection waits for this operator's reason, and its notice."""
    with app.uow() as uow:
        profile = chat_user(uow, telegram_user_id=telegram_user_id,
                            language=app.settings.default_language, now=app.clock())
        conversation = load_conversation(uow.session, chat_user_id=profile.chat_user_id,
                                         now=app.clock())
    if conversation.state != REJECTING:
        return None
    return int(conversation.data["registration_id"]), int(conversation.data["notice_id"])


def help_text(t: Translator) -> str:
    """What operators can do here."""
    return "\n".join([
        t.gettext("Document sets arrive here with their files: ✅ approves, ❌ rejects (reply "
                  "with the reason), 📝 asks for another document."),
        t.gettext("/review lists what waits for a decision."),
        t.gettext(USAGE)])


def queue(app: App) -> list[ReviewItem]:
    """Every registration under review, the longest waiting first."""
    with app.uow() as uow:
        return under_review(uow.session, app.documents)


def not_possible(refused: IllegalTransition, t: Translator) -> str:
    """A decision the registration's status no longer allows (decided meanwhile)."""
    return t.gettext("Not possible: the registration is \"%(current)s\" and cannot become "
                     "\"%(target)s\".") % {
        "current": status_name(refused.current, t) if refused.current else "-",
        "target": status_name(refused.target, t)}


def _done(icon: str, change: StatusChange, operator: str, t: Translator) -> str:
    return f"{icon} {change.serial}: {status_name(Status(change.to_status), t)} · {operator}"


def _forget(app: App, telegram_user_id: int) -> None:
    with app.uow() as uow:
        profile = chat_user(uow, telegram_user_id=telegram_user_id,
                            language=app.settings.default_language, now=app.clock())
        save_conversation(uow, chat_user_id=profile.chat_user_id, conversation=Conversation(),
                          now=app.clock())


def _registration(app: App, registration_id: int) -> tuple[Campaign, str]:
    with app.uow() as uow:
        registration = uow.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(N_("No registration with id %(id)s."), id=registration_id)
    return app.campaign(registration.campaign_code), registration.serial


def _campaign_of(app: App, target: str, registration_id: int | None) -> Campaign:
    if registration_id is not None:
        return _registration(app, registration_id)[0]
    with app.uow() as uow:
        codes = sorted(set(uow.session.exec(select(Registration.campaign_code).where(
            Registration.serial == normalise_serial(target)))))
    if len(codes) != 1:
        raise NotFound(N_("No registration of serial number %(serial)s.") if not codes else
                       N_("Serial number %(serial)s is registered in several campaigns: use "
                          "/pay #ID with the registration's id."), serial=target)
    return app.campaign(codes[0])


def _day(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
