"""The verdict on a claim: the campaign's rules, in the order an installer would check them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from core.campaign import Campaign, Product
from core.information_requests import DocumentKind, RequestTerms, local_day, request_terms
from core.masterdata import Device, MasterData, suggest_serials
from core.serials import matches_format, normalise_serial
from core.statuses import Channel, Status


class IneligibilityReason(StrEnum):
    """Why a device cannot take part: SPEC's list, one member per reason."""

    COMPANY_NOT_ENROLLED = "company_not_enrolled"
    SERIAL_FORMAT_INVALID = "serial_format_invalid"
    SERIAL_UNKNOWN = "serial_unknown"
    PRODUCT_MISMATCH = "product_mismatch"
    PRODUCT_NOT_IN_CAMPAIGN = "product_not_in_campaign"
    INSTALLED_OUTSIDE_PERIOD = "installed_outside_period"
    REGISTERED_OUTSIDE_PERIOD = "registered_outside_period"
    ALREADY_REGISTERED_BY_COMPANY = "already_registered_by_company"
    ALREADY_REGISTERED_BY_OTHER = "already_registered_by_other"
    DOCUMENTS_NOT_RECEIVED = "documents_not_received"
    REJECTED_AFTER_REVIEW = "rejected_after_review"


class InfoReason(StrEnum):
    """Why proof is asked for an otherwise eligible device."""

    PRODUCT_NEEDS_PROOF = "product_needs_proof"
    AUDIT_SAMPLE = "audit_sample"
    INSTALLED_BEFORE_PRODUCTION = "installed_before_production"
    OPERATOR_REQUEST = "operator_request"


class ClaimProblem(StrEnum):
    """Why a claim cannot even be judged: the installer must correct the input."""

    INSTALLATION_IN_FUTURE = "installation_in_future"


class ClaimInvalid(ValueError):
    """A claim that cannot even be judged, e.g. an installation date in the future."""

    def __init__(self, problem: ClaimProblem) -> None:
        self.problem = problem
        super().__init__(problem.value)


@dataclass(frozen=True)
class CompanyFacts:
    """What the rules need to know about the claiming company."""

    customer_number: str
    enrolled: bool


class Claim(NamedTuple):
    """One device a company says it installed (a named tuple: one per row of an upload)."""

    company: CompanyFacts
    serial: str
    declared_product: str | None
    installed_on: date
    registered_at: datetime
    channel: Channel


@dataclass(frozen=True)
class ExistingRegistration:
    """A registration of the same serial in the same campaign, by whichever company."""

    customer_number: str
    status: Status


class Verdict(NamedTuple):
    """The answer to a claim; ``reason`` is set exactly when the status is ineligible.

    A named tuple, like :class:`Claim`: judging a 10,000-row upload builds 10,000 of them,
    and a frozen dataclass of eleven fields takes three times as long to build.
    """

    serial: str
    status: Status
    product_code: str | None = None
    amount: Decimal = Decimal(0)
    reason: IneligibilityReason | None = None
    info_reason: InfoReason | None = None
    documents_needed: tuple[DocumentKind, ...] = ()
    terms: RequestTerms | None = None
    suggestions: tuple[str, ...] = ()
    masterdata_checked: bool = True
    existing: ExistingRegistration | None = None

    @property
    def eligible(self) -> bool:
        """Whether the device was accepted into the campaign (possibly pending proof)."""
        return self.status is not Status.INELIGIBLE


MAX_SUGGESTIBLE_LENGTH = 20
DEFAULT_PROOF = (DocumentKind.INVOICE, DocumentKind.COMMISSIONING_PROTOCOL)


def evaluate(
    claim: Claim,
    campaign: Campaign,
    masterdata: MasterData,
    existing: ExistingRegistration | None,
) -> Verdict:
    """Judge a claim. Pure: the registration time is in the claim, data comes in.

    The checks run in a fixed order and the first failing one gives the single reason.
    """
    serial = normalise_serial(claim.serial)
    registered_on = local_day(claim.registered_at, campaign)
    if claim.installed_on > registered_on:
        raise ClaimInvalid(ClaimProblem.INSTALLATION_IN_FUTURE)

    checked = masterdata.available

    def no(reason: IneligibilityReason, product: str | None = None,
           suggestions: tuple[str, ...] = ()) -> Verdict:
        return Verdict(serial=serial, status=Status.INELIGIBLE, reason=reason,
                       product_code=product, suggestions=suggestions,
                       masterdata_checked=checked, existing=existing)

    if not claim.company.enrolled:
        return no(IneligibilityReason.COMPANY_NOT_ENROLLED, claim.declared_product)
    declared = campaign.product(claim.declared_product) if claim.declared_product else None
    if claim.declared_product and declared is None:
        return no(IneligibilityReason.PRODUCT_NOT_IN_CAMPAIGN, claim.declared_product)
    if not (matches_format(serial, declared.serial_format) if declared else
            any(matches_format(serial, p.serial_format) for p in campaign.products.values())):
        # A dropped or doubled digit breaks the format; the right serial may still be near.
        nearby = (suggest_serials(serial, masterdata, claim.declared_product)
                  if checked and len(serial) <= MAX_SUGGESTIBLE_LENGTH else ())
        return no(IneligibilityReason.SERIAL_FORMAT_INVALID, claim.declared_product, nearby)
    if existing is not None:
        mine = existing.customer_number == claim.company.customer_number
        return no(IneligibilityReason.ALREADY_REGISTERED_BY_COMPANY if mine
                  else IneligibilityReason.ALREADY_REGISTERED_BY_OTHER, claim.declared_product)

    device: Device | None = None
    if checked:
        device = masterdata.lookup([serial]).get(serial)
        if device is None:
            return no(IneligibilityReason.SERIAL_UNKNOWN, claim.declared_product,
                      suggest_serials(serial, masterdata, claim.declared_product))
        if declared is not None and device.product_code != declared.code:
            return no(IneligibilityReason.PRODUCT_MISMATCH, claim.declared_product)
        product = campaign.product(device.product_code)
        if product is None:
            return no(IneligibilityReason.PRODUCT_NOT_IN_CAMPAIGN, device.product_code)
    elif declared is None:
        # Without master data the product must be declared; the format alone cannot tell.
        return no(IneligibilityReason.PRODUCT_MISMATCH)
    else:
        product = declared

    if not campaign.first_installation_day <= claim.installed_on <= campaign.last_installation_day:
        return no(IneligibilityReason.INSTALLED_OUTSIDE_PERIOD, product.code)
    if not campaign.first_installation_day <= registered_on <= campaign.last_registration_day:
        return no(IneligibilityReason.REGISTERED_OUTSIDE_PERIOD, product.code)

    info_reason = _needs_proof(serial, product, device, claim, campaign)
    if info_reason is None:
        return Verdict(serial=serial, status=Status.PENDING_PAYMENT, product_code=product.code,
                       amount=product.amount, masterdata_checked=checked)
    return Verdict(
        serial=serial, status=Status.INFO_REQUIRED, product_code=product.code,
        amount=product.amount, info_reason=info_reason, documents_needed=DEFAULT_PROOF,
        terms=request_terms(claim.registered_at, campaign),
        masterdata_checked=checked,
    )


def _needs_proof(serial: str, product: Product, device: Device | None, claim: Claim,
                 campaign: Campaign) -> InfoReason | None:
    if device is not None and device.production_date is not None \
            and claim.installed_on < device.production_date:
        return InfoReason.INSTALLED_BEFORE_PRODUCTION
    if product.proof_required:
        return InfoReason.PRODUCT_NEEDS_PROOF
    if in_audit_sample(serial, campaign):
        return InfoReason.AUDIT_SAMPLE
    return None


def in_audit_sample(serial: str, campaign: Campaign) -> bool:
    """Deterministic audit draw: the same serial always gets the same answer in a campaign.

    The draw is the digest's first 8 bytes read as a fraction of 2**64, compared with the
    share exactly, in whole numbers (no Decimal arithmetic per serial).
    """
    digest = hashlib.sha256(f"{campaign.code}:{serial}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < _draws_below(campaign.audit_share)


@lru_cache(maxsize=16)
def _draws_below(share: Decimal) -> int:
    """How many of the 2**64 possible draws fall in the sample: ceil(share * 2**64)."""
    numerator, denominator = share.as_integer_ratio()
    return -(-numerator * 2**64 // denominator)
