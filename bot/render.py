"""Turning verdicts, summaries and histories into the words a user reads, in their language.

Used by the operator command line now and by the chat and e-mail channels later, so a status
reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from core.amounts import Summary
from core.campaign import Campaign
from core.eligibility import IneligibilityReason, Verdict
from core.i18n import N_, Translator, day, money, number
from core.statuses import Status
from core.template import Mark, result_details, result_headline
from core.wording import (
    claim_problem_text,
    documents_text,
    ineligible_headline,
    info_reason_text,
    reason_text,
    status_name,
)
from storage.services.imports import ImportReport, marks_in_order
from storage.services.queries import HistoryEntry
from storage.services.registrations import ClaimOutcome

SUMMARY_ORDER = (Status.INFO_REQUIRED, Status.UNDER_REVIEW, Status.PENDING_PAYMENT, Status.PAID,
                 Status.INELIGIBLE)


def product_name(campaign: Campaign, code: str | None, language: str) -> str:
    """A product's display name, or its code if the campaign does not know it."""
    product = campaign.product(code) if code else None
    return product.name(language) if product else (code or "?")


def outcome_text(outcome: ClaimOutcome, campaign: Campaign, t: Translator,
                 language: str) -> str:
    """The answer to one claim: the official status wording, amount and next step."""
    if outcome.problem is not None or outcome.verdict is None:
        assert outcome.problem is not None
        return claim_problem_text(outcome.problem, t,
                                  date=day(outcome.claim.installed_on, language))
    return verdict_text(outcome.verdict, campaign, t, language, outcome.reference)


def verdict_text(verdict: Verdict, campaign: Campaign, t: Translator, language: str,
                 reference: str | None = None) -> str:
    """The verdict in the flyers' words, then what to do."""
    product = product_name(campaign, verdict.product_code, language)
    if verdict.status is Status.INELIGIBLE:
        assert verdict.reason is not None
        lines = [reason_text(verdict.reason, t, serial=verdict.serial, product=product)]
        if verdict.reason is not IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY:
            lines.insert(0, ineligible_headline(product, verdict.serial, t))
        if verdict.suggestions:
            lines.append(t.gettext("Did you mean: %(serials)s?")
                         % {"serials": ", ".join(verdict.suggestions)})
        if not verdict.masterdata_checked:
            lines.append(t.gettext("(Only the serial number's format could be checked.)"))
        return "\n".join(lines)
    lines = [f"{verdict.serial} – {product}: {status_name(verdict.status, t)}",
             t.gettext("Cashback: %(amount)s") % {
                 "amount": money(verdict.amount, campaign.currency, language)}]
    if verdict.status is Status.INFO_REQUIRED:
        assert verdict.terms is not None
        if verdict.info_reason is not None:
            lines.append(info_reason_text(verdict.info_reason, t))
        lines.append(request_text(documents_text(verdict.documents_needed, t),
                                  verdict.terms.due_on, reference, t, language))
    if not verdict.masterdata_checked:
        lines.append(t.gettext("(Only the serial number's format could be checked.)"))
    return "\n".join(lines)


def request_text(documents: str, due_on: date, reference: str | None, t: Translator,
                 language: str) -> str:
    """What to send, by when, and the reference to quote."""
    text = t.gettext("Please send: %(documents)s, by %(date)s.") % {
        "documents": documents, "date": day(due_on, language)}
    if reference:
        text += " " + t.gettext("Reference: %(reference)s") % {"reference": reference}
    return text


def summary_text(summary: Summary, campaign: Campaign, t: Translator, language: str) -> str:
    """Counts and amounts per status, then paid and pending totals."""
    if summary.count == 0:
        return t.gettext("No devices registered yet.")
    lines = []
    for status in SUMMARY_ORDER:
        total = summary.total(status)
        if total.count:
            lines.append(t.ngettext("%(status)s: %(count)s device, %(amount)s",
                                    "%(status)s: %(count)s devices, %(amount)s", total.count)
                         % {"status": status_name(status, t),
                            "count": number(total.count, language),
                            "amount": money(total.amount, campaign.currency, language)})
    lines.append(t.gettext("Paid: %(paid)s · Pending payment: %(pending)s") % {
        "paid": money(summary.paid, campaign.currency, language),
        "pending": money(summary.pending, campaign.currency, language)})
    if summary.awaiting_proof:
        lines.append(t.gettext("Waiting for documents or their check: %(amount)s") % {
            "amount": money(summary.awaiting_proof, campaign.currency, language)})
    return "\n".join(lines)


def history_text(serial: str, product: str, entries: Sequence[HistoryEntry], t: Translator,
                 language: str) -> str:
    """One serial's audit trail, oldest first."""
    lines = [f"{serial} – {product}"]
    for entry in entries:
        line = f"{day(entry.at.date(), language)} {entry.at:%H:%M} UTC · " \
               f"{status_name(Status(entry.to_status), t)} · {entry.actor} ({entry.channel})"
        if entry.reason and entry.reason in IneligibilityReason.__members__.values():
            line += " · " + reason_text(IneligibilityReason(entry.reason), t, serial=serial,
                                        product=product, detail=entry.detail or "")
        elif entry.detail:
            line += f" · {entry.detail}"
        lines.append(line)
    return "\n".join(lines)


def cents(value: int) -> Decimal:
    """Stored whole cents as an amount."""
    return Decimal(value) / 100


IMPORT_MARKS = {
    Mark.ACCEPTED: N_("registered"),
    Mark.PROOF: N_("registered, documents to send"),
    Mark.UNCHANGED: N_("already registered before"),
    Mark.REJECTED: N_("not registered, to correct or not eligible"),
}


def import_summary_text(report: ImportReport, campaign: Campaign, t: Translator,
                        language: str) -> str:
    """The answer to an uploaded template: counts per outcome, then the rows to look at."""
    if report.first_processed_at is not None:
        return t.gettext("This file was already processed on %(date)s at %(time)s; nothing was "
                         "registered twice.") % {
            "date": day(report.first_processed_at.date(), language),
            "time": f"{report.first_processed_at:%H:%M} UTC"}
    rows = sum(report.counts.values())
    lines = [t.ngettext("%(file)s: %(count)s row read.", "%(file)s: %(count)s rows read.", rows)
             % {"file": report.filename, "count": number(rows, language)}]
    for mark in marks_in_order():
        if report.counts.get(mark.value):
            lines.append(f"• {t.gettext(IMPORT_MARKS[mark])}: "
                         f"{number(report.counts[mark.value], language)}")
    lines.append(t.gettext("Cashback of the registered devices: %(amount)s") % {
        "amount": money(report.amount, campaign.currency, language)})
    return "\n".join(lines)


def import_row_lines(report: ImportReport, campaign: Campaign, t: Translator, language: str,
                     *, marks: frozenset[Mark] = frozenset({Mark.REJECTED, Mark.PROOF}),
                     limit: int = 20) -> list[str]:
    """One line per row that needs the installer's attention, at most ``limit``."""
    wanted = [r for r in report.results if r.mark in marks]
    lines = [t.gettext("Row %(row)d (%(serial)s): %(result)s. %(details)s") % {
        "row": r.row_number, "serial": r.serial or "-", "result": result_headline(r, t),
        "details": result_details(r, campaign, language, t)} for r in wanted[:limit]]
    if len(wanted) > limit:
        lines.append(t.gettext("… and %(count)d more rows: see the result workbook.")
                     % {"count": len(wanted) - limit})
    return lines
