"""The words users read for statuses and reasons, in the flyers' official wording.

English is the source language; the French and Italian catalogs carry the flyers' exact
words. Each entry is marked with ``N_`` and translated when it is shown.
"""

from __future__ import annotations

from core.eligibility import ClaimProblem, IneligibilityReason, InfoReason
from core.i18n import N_, Translator
from core.information_requests import DocumentKind
from core.statuses import Status

STATUS_NAMES: dict[Status, str] = {
    Status.PENDING_PAYMENT: N_("Registration complete, payment pending"),
    Status.INFO_REQUIRED: N_("Additional information required – upload a file"),
    Status.UNDER_REVIEW: N_("Documents received, check in progress"),
    Status.PAID: N_("Device registered – payment made"),
    Status.INELIGIBLE: N_("Registration not possible"),
}

# The flyers' full ineligible wording, with the product and serial filled in.
INELIGIBLE_HEADLINE = N_(
    "Registration not possible – The product %(product)s with serial number %(serial)s "
    "is not part of the campaign or does not exist"
)

STATUS_MEANINGS: dict[Status, str] = {
    Status.PENDING_PAYMENT: N_(
        "The device was recognised and meets the conditions for registration."),
    Status.INFO_REQUIRED: N_(
        "The device was recognised. We need more information to check that the campaign "
        "conditions are met: please send the documents within %(days)d days."),
    Status.UNDER_REVIEW: N_(
        "Your documents have arrived; the campaign team is checking them."),
    Status.PAID: N_("The device is registered and the cashback has been paid to your company."),
    Status.INELIGIBLE: N_("This device cannot take part in the campaign."),
}

REASONS: dict[IneligibilityReason, str] = {
    IneligibilityReason.COMPANY_NOT_ENROLLED: N_(
        "Your company is not enrolled in the campaign. The company must first enrol in the "
        "cashback campaign; devices can be registered afterwards."),
    IneligibilityReason.SERIAL_FORMAT_INVALID: N_(
        "The serial number %(serial)s does not have the format of a campaign product. Please "
        "check it on the device's type label."),
    IneligibilityReason.SERIAL_UNKNOWN: N_(
        "The serial number %(serial)s does not exist. It may contain a typing error."),
    IneligibilityReason.PRODUCT_MISMATCH: N_(
        "The serial number %(serial)s and the device type %(product)s do not match."),
    IneligibilityReason.PRODUCT_NOT_IN_CAMPAIGN: N_(
        "The product %(product)s is not part of this campaign."),
    IneligibilityReason.INSTALLED_OUTSIDE_PERIOD: N_(
        "The device was not installed within the campaign's validity period."),
    IneligibilityReason.REGISTERED_OUTSIDE_PERIOD: N_(
        "The registration period of the campaign has ended."),
    IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY: N_(
        "Good news: your company has already registered the serial number %(serial)s. "
        "Nothing more to do."),
    IneligibilityReason.ALREADY_REGISTERED_BY_OTHER: N_(
        "The serial number %(serial)s has already been registered by another company. The "
        "campaign team has been informed and will check both registrations."),
    IneligibilityReason.DOCUMENTS_NOT_RECEIVED: N_(
        "The requested documents were not received before the deadline."),
    IneligibilityReason.REJECTED_AFTER_REVIEW: N_(
        "The documents were checked and the registration was rejected: %(detail)s"),
}

INFO_REASONS: dict[InfoReason, str] = {
    InfoReason.PRODUCT_NEEDS_PROOF: N_("Proof is always required for this product."),
    InfoReason.AUDIT_SAMPLE: N_("This registration was selected for a routine check."),
    InfoReason.INSTALLED_BEFORE_PRODUCTION: N_(
        "The installation date is before the device's production date; please check it."),
    InfoReason.OPERATOR_REQUEST: N_("The campaign team needs more information."),
}

CLAIM_PROBLEMS: dict[ClaimProblem, str] = {
    ClaimProblem.INSTALLATION_IN_FUTURE: N_(
        "The installation date %(date)s is in the future. Please check it."),
}

DOCUMENT_KINDS: dict[DocumentKind, str] = {
    DocumentKind.INVOICE: N_("invoice"),
    DocumentKind.COMMISSIONING_PROTOCOL: N_("commissioning protocol"),
    DocumentKind.INSTALLATION_PHOTO: N_("photo of the installed device"),
}


def status_name(status: Status, t: Translator) -> str:
    """The official short wording of a status."""
    return t.gettext(STATUS_NAMES[status])


def ineligible_headline(product: str, serial: str, t: Translator) -> str:
    """The flyers' full ineligible sentence for one device."""
    return t.gettext(INELIGIBLE_HEADLINE) % {"product": product, "serial": serial}


def reason_text(reason: IneligibilityReason, t: Translator, *, serial: str = "",
                product: str = "", detail: str = "") -> str:
    """The explanation of one ineligibility reason, with its next step where there is one."""
    return t.gettext(REASONS[reason]) % {"serial": serial, "product": product,
                                         "detail": detail}


def info_reason_text(reason: InfoReason, t: Translator) -> str:
    """Why proof is asked."""
    return t.gettext(INFO_REASONS[reason])


def documents_text(kinds: tuple[DocumentKind, ...], t: Translator) -> str:
    """The documents asked for, as a comma-separated list."""
    return ", ".join(t.gettext(DOCUMENT_KINDS[kind]) for kind in kinds)


def claim_problem_text(problem: ClaimProblem, t: Translator, *, date: str = "") -> str:
    """What the installer must correct before the claim can be judged."""
    return t.gettext(CLAIM_PROBLEMS[problem]) % {"date": date}
