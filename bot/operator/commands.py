"""The operator's commands: parse the arguments, call one service, print the answer.

Every command uses the same services as the chat and e-mail channels. Human output is in the
operator's language (``--lang``); ``--json`` prints one JSON document for scripts.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.bootstrap import App
from bot.campaigns import campaign_files, load_campaigns
from bot.observability.metrics import claim_outcomes, count_registrations
from bot.operator.files import OperatorFileError, parse_day, parse_flag, read_lines
from bot.render import cents, history_text, outcome_text, product_name, summary_text
from core.i18n import N_
from core.masterdata import Device
from core.statuses import Channel, Status
from core.wording import status_name
from storage.migrate import current_revision, upgrade
from storage.services import companies, payments, queries, registrations, review
from storage.services.lookup import company_by_number
from storage.tables import Registration


@dataclass
class Output:
    """Where a command writes: localized lines or one JSON document."""

    t: Any
    language: str
    as_json: bool
    write: Callable[[str], None]

    def translated(self, message: str, **fields: object) -> None:
        """Print a catalog message."""
        self.write(self.t.gettext(message) % fields if fields else self.t.gettext(message))

    def data(self, document: object) -> None:
        """Print JSON for scripts."""
        self.write(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def db_upgrade(app: App, args: argparse.Namespace, out: Output) -> int:
    """Bring the database schema up to date."""
    upgrade(app.engine)
    out.translated("Database schema is at revision %(revision)s.",
             revision=current_revision(app.engine))
    return 0


def campaigns_check(app: App, args: argparse.Namespace, out: Output) -> int:
    """Validate campaign files (the given ones or the configured folder)."""
    paths = args.files or campaign_files(app.settings.campaigns_dir)
    checked = load_campaigns(paths)
    for code, campaign in checked.items():
        out.translated("%(code)s: valid, %(count)d products, installations %(first)s to %(last)s.",
                 code=code, count=len(campaign.products),
                 first=campaign.first_installation_day, last=campaign.last_installation_day)
    return 0


COMPANY_COLUMNS = {
    "customer_number": ("customer number", "numéro de client", "codice cliente", "customer"),
    "name": ("company", "nom", "ragione sociale", "entreprise", "azienda"),
    "campaign": ("campagne", "campagna"),
    "language": ("lang", "langue", "lingua"),
    "emails": ("email", "e-mail", "emails", "adresses"),
    "enrolled": ("inscrit", "iscritto"),
}


def companies_import(app: App, args: argparse.Namespace, out: Output) -> int:
    """Enrol companies from a CSV file."""
    records = []
    for line in read_lines(args.file, COMPANY_COLUMNS,
                           ("customer_number", "name", "campaign", "emails")):
        campaign = app.campaign(line.values["campaign"])
        records.append(companies.CompanyRecord(
            customer_number=line.values["customer_number"], name=line.values["name"],
            campaign_code=campaign.code,
            language=line.values.get("language") or campaign.language,
            emails=tuple(e for e in line.values["emails"].replace(",", " ").split() if e),
            enrolled=parse_flag(line.values.get("enrolled"))))
    with app.uow() as uow:
        added, updated = companies.import_companies(uow, records=records, now=app.clock())
    out.translated("Companies: %(added)d added, %(updated)d updated.", added=added, updated=updated)
    return 0


DEVICE_COLUMNS = {
    "serial": ("serial number", "numéro de série", "numero di serie", "sn"),
    "product": ("product code", "produit", "prodotto"),
    "production_date": ("produced", "date de fabrication", "data di produzione"),
}


def masterdata_import(app: App, args: argparse.Namespace, out: Output) -> int:
    """Load the manufacturer's device list from a CSV file."""
    from core.serials import normalise_serial

    devices = [
        Device(normalise_serial(line.values["serial"]), line.values["product"],
               parse_day(line.values["production_date"], args.file, line.number,
                         "production_date") if line.values.get("production_date") else None)
        for line in read_lines(args.file, DEVICE_COLUMNS, ("serial", "product"))]
    with app.uow() as uow:
        added, updated = companies.import_masterdata(uow, devices=devices)
    out.translated("Master data: %(added)d devices added, %(updated)d updated.",
             added=added, updated=updated)
    return 0


def register(app: App, args: argparse.Namespace, out: Output) -> int:
    """Register one device for a company, with the same verdict as in chat."""
    campaign = app.campaign(args.campaign)
    with app.uow() as uow:
        outcome = registrations.register(
            uow, campaign=campaign, customer_number=args.company,
            claim=registrations.ClaimInput(args.serial, args.product, args.installed),
            channel=Channel.OPERATOR, actor=args.operator, now=app.clock())
    count_registrations(Channel.OPERATOR.value, claim_outcomes([outcome]))
    if out.as_json:
        verdict = outcome.verdict
        out.data({
            "serial": verdict.serial if verdict else args.serial,
            "status": verdict.status.value if verdict else None,
            "reason": verdict.reason.value if verdict and verdict.reason else None,
            "problem": outcome.problem.value if outcome.problem else None,
            "product": verdict.product_code if verdict else args.product,
            "amount": str(verdict.amount) if verdict else None,
            "suggestions": list(verdict.suggestions) if verdict else [],
            "due_on": verdict.terms.due_on if verdict and verdict.terms else None,
            "reference": outcome.reference,
            "registration_id": outcome.registration_id,
        })
    else:
        out.write(outcome_text(outcome, campaign, out.t, out.language))
    return 0 if outcome.verdict is not None and outcome.verdict.eligible else 1


def status(app: App, args: argparse.Namespace, out: Output) -> int:
    """A company's summary, or one serial's detail."""
    if args.serial:
        return history(app, args, out)
    with app.uow() as uow:
        company = company_by_number(uow.session, args.company)
        assert company.id is not None
        summary = queries.company_summary(uow.session, company.id)
        campaign = app.campaign(company.campaign_code)
    if out.as_json:
        out.data({
            "company": company.customer_number, "campaign": campaign.code,
            "per_status": {s.value: {"count": summary.total(s).count,
                                     "amount": str(summary.total(s).amount)} for s in Status},
            "paid": str(summary.paid), "pending": str(summary.pending),
            "awaiting_proof": str(summary.awaiting_proof),
        })
    else:
        out.write(f"{company.name} ({company.customer_number}) · {campaign.code}")
        out.write(summary_text(summary, campaign, out.t, out.language))
    return 0


def history(app: App, args: argparse.Namespace, out: Output) -> int:
    """One serial's registration and every change it went through."""
    with app.uow() as uow:
        campaign_code = args.campaign or _campaign_of(uow.session, args.serial, app)
        registration, entries = queries.history(uow.session, campaign_code, args.serial)
    campaign = app.campaign(campaign_code)
    if out.as_json:
        out.data({
            "serial": registration.serial, "campaign": campaign_code,
            "product": registration.product_code, "status": registration.status,
            "amount": str(cents(registration.amount_cents)),
            "events": [entry.__dict__ for entry in entries],
        })
    else:
        out.write(history_text(registration.serial,
                               product_name(campaign, registration.product_code, out.language),
                               entries, out.t, out.language))
    return 0


def approve(app: App, args: argparse.Namespace, out: Output) -> int:
    """Accept the documents of a registration under review."""
    return _decision(app, args, out, lambda uow, campaign: review.approve(
        uow, campaign=campaign, serial=args.serial, operator=args.operator, now=app.clock()))


def reject(app: App, args: argparse.Namespace, out: Output) -> int:
    """Reject a registration under review, with a reason the company reads."""
    return _decision(app, args, out, lambda uow, campaign: review.reject(
        uow, campaign=campaign, serial=args.serial, reason=args.reason, operator=args.operator,
        now=app.clock()))


def _decision(app: App, args: argparse.Namespace, out: Output,
              decide: Callable[[Any, Any], Any]) -> int:
    with app.uow() as uow:
        campaign = app.campaign(args.campaign or _campaign_of(uow.session, args.serial, app))
        change = decide(uow, campaign)
    out.translated("%(serial)s: %(status)s", serial=change.serial,
             status=status_name(Status(change.to_status), out.t))
    return 0


PAYMENT_COLUMNS = {
    "serial": ("serial number", "numéro de série", "numero di serie", "sn"),
    "registration_id": ("registration id", "registration", "id", "id enregistrement",
                        "enregistrement", "id registrazione", "registrazione"),
    "reference": ("payment reference", "référence", "reference de paiement",
                  "référence de paiement", "riferimento", "riferimento pagamento"),
    "paid_on": ("date", "payment date", "paid on", "date de paiement", "payé le",
                "data pagamento", "data di pagamento", "pagato il"),
}


def pay(app: App, args: argparse.Namespace, out: Output) -> int:
    """Record payments from a CSV file (serial or registration id, reference, date).

    Safe to run twice: a registration already paid is reported, not paid again.
    """
    campaign = app.campaign(args.campaign)
    lines = []
    for line in read_lines(args.file, PAYMENT_COLUMNS, ("reference", "paid_on")):
        serial = line.values.get("serial", "")
        registration_id = line.values.get("registration_id", "")
        if not serial and not registration_id:
            raise OperatorFileError(N_("%(file)s: line %(line)d: give the serial or the "
                                       "registration id"), file=args.file, line=line.number)
        if registration_id and not registration_id.isdigit():
            raise OperatorFileError(N_("%(file)s: line %(line)d: %(column)s %(value)s is not a "
                                       "number"), file=args.file, line=line.number,
                                    column="registration_id", value=registration_id)
        lines.append(payments.PaymentLine(
            serial, line.values["reference"],
            parse_day(line.values["paid_on"], args.file, line.number, "paid_on"),
            int(registration_id) if registration_id else None))
    with app.uow() as uow:
        results = payments.record_payments(uow, campaign=campaign, lines=lines,
                                           operator=args.operator, now=app.clock())
    counts = {outcome: sum(r.outcome is outcome for r in results)
              for outcome in payments.PaymentOutcome}
    if out.as_json:
        out.data([{"serial": r.line.serial, "registration_id": r.line.registration_id,
                   "outcome": r.outcome.value, "status": r.status} for r in results])
        return 0
    out.translated("Payments: %(paid)d recorded, %(again)d already paid, %(missing)d unknown "
             "serials, %(blocked)d not payable.",
             paid=counts[payments.PaymentOutcome.PAID],
             again=counts[payments.PaymentOutcome.ALREADY_PAID],
             missing=counts[payments.PaymentOutcome.NOT_FOUND],
             blocked=counts[payments.PaymentOutcome.NOT_PAYABLE])
    for result in results:
        if result.outcome in (payments.PaymentOutcome.NOT_FOUND,
                              payments.PaymentOutcome.NOT_PAYABLE):
            out.translated("  %(serial)s: not paid (%(status)s)",
                     serial=result.line.serial or f"#{result.line.registration_id}",
                     status=status_name(Status(result.status), out.t) if result.status
                     else out.t.gettext("no registration"))
    return 0


def _campaign_of(session: Any, serial: str, app: App) -> str:
    from sqlmodel import select

    from core.serials import normalise_serial
    from storage.services.lookup import NotFound

    codes = sorted(set(session.exec(select(Registration.campaign_code).where(
        Registration.serial == normalise_serial(serial)))))
    if len(codes) != 1:
        if codes:
            raise NotFound(N_("Serial number %(serial)s is registered in several campaigns: "
                              "give --campaign."), serial=serial)
        raise NotFound(N_("No registration of serial number %(serial)s."), serial=serial)
    return str(codes[0])
