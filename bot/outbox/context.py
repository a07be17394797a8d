"""What a notification needs besides its payload, read when it is sent.

The company's name, language and registered addresses, its chat users, and what the
announced information requests ask for: read at sending time, so an address corrected after
a failure is used by the retry.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.mail.render import RequestDetails
from core.information_requests import DocumentKind
from storage.masterdata import chunked
from storage.tables import ChatUser, Company, CompanyEmail, InformationRequest


@dataclass(frozen=True)
class ChatRecipient:
    """A verified chat user of the company who wants notifications."""

    telegram_user_id: int
    language: str


@dataclass(frozen=True)
class DeliveryContext:
    """The company side of one outbox row."""

    company_name: str
    campaign_code: str
    language: str
    emails: tuple[str, ...]
    chat_users: tuple[ChatRecipient, ...]
    requests: dict[str, RequestDetails] = field(default_factory=dict)


class CompanyGone(LookupError):
    """The row names a company that no longer exists."""


def load_context(engine: Engine, company_id: int,
                 references: Collection[str]) -> DeliveryContext:
    """Read everything about the company and the named requests that the message needs."""
    with Session(engine) as session:
        company = session.get(Company, company_id)
        if company is None:
            raise CompanyGone(company_id)
        emails = tuple(session.exec(
            select(CompanyEmail.email).where(CompanyEmail.company_id == company_id)
            .order_by(col(CompanyEmail.id))))
        users = tuple(ChatRecipient(user.telegram_user_id, user.language)
                      for user in session.exec(
                          select(ChatUser).where(ChatUser.company_id == company_id,
                                                 col(ChatUser.verified).is_(True),
                                                 col(ChatUser.notifications).is_(True))
                          .order_by(col(ChatUser.id))))
        requests = {}
        for chunk in chunked(sorted(references)):
            for request in session.exec(select(InformationRequest).where(
                    col(InformationRequest.reference).in_(chunk))):
                requests[request.reference] = RequestDetails(
                    reference=request.reference, note=request.note,
                    documents=tuple(DocumentKind(kind) for kind in
                                    request.documents_needed.split(",") if kind))
        return DeliveryContext(company_name=company.name, campaign_code=company.campaign_code,
                               language=company.language, emails=emails, chat_users=users,
                               requests=requests)
