"""Finding the registration an operator or a message is about."""

from __future__ import annotations

from sqlmodel import Session, select

from core.i18n import N_, LocalizedError
from core.serials import normalise_serial
from storage.tables import Company, InformationRequest, Registration


class NotFound(LocalizedError, LookupError):
    """Nothing matches; the message says what was looked for."""


def registration_by_serial(session: Session, campaign_code: str, serial: str,
                           *, for_update: bool = False) -> Registration:
    """The registration of ``serial`` in a campaign, optionally locked for a change."""
    statement = select(Registration).where(Registration.campaign_code == campaign_code,
                                           Registration.serial == normalise_serial(serial))
    if for_update:
        statement = statement.with_for_update()
    registration = session.exec(statement).first()
    if registration is None:
        raise NotFound(N_("No registration of serial number %(serial)s in campaign %(campaign)s."),
                       serial=serial, campaign=campaign_code)
    return registration


def company_by_number(session: Session, customer_number: str) -> Company:
    """The company with this customer number."""
    company = session.exec(
        select(Company).where(Company.customer_number == customer_number.strip())).first()
    if company is None:
        raise NotFound(N_("No company with customer number %(number)s."), number=customer_number)
    return company


def open_request(session: Session, registration_id: int) -> InformationRequest | None:
    """The registration's open information request, if any."""
    return session.exec(select(InformationRequest).where(
        InformationRequest.registration_id == registration_id,
        InformationRequest.state == "open")).first()
