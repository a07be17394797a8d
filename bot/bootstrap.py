"""The one place that wires settings, database, campaigns and the document store together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine

from bot.campaigns import campaign_files, load_campaigns
from bot.settings import Settings
from core.campaign import Campaign
from core.i18n import N_, LocalizedError
from storage.db import make_engine
from storage.documents import DocumentStore
from storage.migrate import upgrade
from storage.uow import UnitOfWork


class UnknownCampaign(LocalizedError, KeyError):
    """A campaign code that no campaign file defines."""


class Clock(Protocol):
    """Where "now" comes from; tests pass a fixed one."""

    def __call__(self) -> datetime:
        """The current aware time."""
        ...


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass
class App:
    """Everything a channel needs to serve a user."""

    settings: Settings
    engine: Engine
    campaigns: dict[str, Campaign]
    documents: DocumentStore
    clock: Clock = field(default=utc_now)

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        """A fresh unit of work for one use case (``read_only`` when it only reads)."""
        return UnitOfWork(self.engine, read_only=read_only)

    def campaign(self, code: str) -> Campaign:
        """A campaign by code, or a clear error listing the known ones."""
        try:
            return self.campaigns[code]
        except KeyError:
            raise UnknownCampaign(N_("Unknown campaign %(code)s (known: %(known)s)."), code=code,
                                  known=", ".join(sorted(self.campaigns)) or "-") from None


def bootstrap(settings: Settings | None = None, *, migrate: bool = True,
              clock: Clock = utc_now) -> App:
    """Load campaigns, open the database (migrating it) and the document folder."""
    settings = settings or Settings()
    campaigns = load_campaigns(campaign_files(settings.campaigns_dir))
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    return App(settings=settings, engine=engine, campaigns=campaigns,
               documents=DocumentStore(settings.resolved_documents_dir), clock=clock)
