"""Manual-only devices seen in the portal: the notice to the company, and registering them all.

SMA Home Storage modules (and, in France, the SMA EV Charger Business) are never transferred
from the portal; the company is told once per export which of them it has there, by e-mail
and in chat, and a button in chat registers them all with the portal's data through the
normal registration path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from core.campaign import Campaign
from core.i18n import N_, LocalizedError
from core.statuses import Channel
from storage.services.registrations import ClaimInput, ClaimOutcome, register_many
from storage.tables import Company, OutboxMessage, PortalDevice
from storage.uow import UnitOfWork

MANUAL_ONLY_TOPIC = "portal_manual_only"
MANUAL_ONLY = "manual_only"


class NothingToRegister(LocalizedError):
    """The button names no manual-only device of this company."""


def notify_manual_only(session: Session, *, company_id: int, import_id: int, campaign: Campaign,
                       devices: Sequence[tuple[str, str, date]], now: datetime) -> None:
    """Queue one e-mail and one chat notice listing the company's manual-only devices."""
    payload = json.dumps({"import_id": import_id, "campaign": campaign.code, "devices": [
        {"serial": serial, "product_code": product, "installed_on": day.isoformat()}
        for serial, product, day in devices]})
    for kind in ("email", "chat"):
        session.add(OutboxMessage(kind=kind, company_id=company_id, topic=MANUAL_ONLY_TOPIC,
                                  payload=payload, created_at=now, next_attempt_at=now))


def register_manual_devices(uow: UnitOfWork, *, campaign: Campaign, customer_number: str,
                            import_id: int, actor: str, now: datetime) -> list[ClaimOutcome]:
    """Register the manual-only devices one export listed for this company (channel chat).

    Each goes through the rules like a device typed in chat, with the portal's product and
    commissioning date; one already registered is answered "already registered", kindly.
    """
    company = uow.session.exec(select(Company).where(
        Company.customer_number == customer_number)).first()
    devices = [] if company is None else list(uow.session.exec(
        select(PortalDevice).where(PortalDevice.import_id == import_id,
                                   PortalDevice.company_id == company.id,
                                   PortalDevice.handling == MANUAL_ONLY)
        .order_by(col(PortalDevice.id))))
    if not devices:
        raise NothingToRegister(N_("These devices are not listed for your company."))
    return register_many(uow, campaign=campaign, customer_number=customer_number, claims=[
        ClaimInput(d.serial, d.product_code, d.installed_on) for d in devices],
        channel=Channel.CHAT, actor=actor, now=now)
