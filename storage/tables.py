"""The database schema: one SQLModel table per thing the campaign keeps.

Datetimes are aware (SQLModel stores them as UTC in every backend); amounts are whole
cents, exact in every database.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Company(SQLModel, table=True):
    """An installer company enrolled (or not yet) in a campaign."""

    id: int | None = Field(default=None, primary_key=True)
    customer_number: str = Field(unique=True, index=True, max_length=32)
    name: str = Field(max_length=200)
    campaign_code: str = Field(max_length=16)
    language: str = Field(max_length=2)
    enrolled: bool = True
    created_at: datetime


class CompanyEmail(SQLModel, table=True):
    """A registered address of a company: notifications go there, replies must come from it."""

    __tablename__ = "company_email"
    __table_args__ = (UniqueConstraint("company_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    email: str = Field(max_length=254, index=True)


class ChatUser(SQLModel, table=True):
    """A Telegram user, linked to a company once they proved access."""

    __tablename__ = "chat_user"

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    language: str = Field(max_length=2)
    verified: bool = False
    notifications: bool = True
    created_at: datetime


class Device(SQLModel, table=True):
    """Master data: a device the manufacturer produced."""

    serial: str = Field(primary_key=True, max_length=32)
    product_code: str = Field(max_length=32)
    production_date: date | None = None


class Registration(SQLModel, table=True):
    """A serial registered by a company in a campaign; one per serial per campaign."""

    __table_args__ = (
        UniqueConstraint("campaign_code", "serial", name="uq_registration_campaign_serial"),
        # Covering: a company's summary (count and amount per status) reads the index only.
        Index("ix_registration_company_status_amount", "company_id", "status", "amount_cents"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_code: str = Field(max_length=16)
    serial: str = Field(max_length=32)
    company_id: int = Field(foreign_key="company.id")
    product_code: str = Field(max_length=32)
    installed_on: date
    registered_at: datetime
    channel: str = Field(max_length=16)
    status: str = Field(max_length=24)
    reason: str | None = Field(default=None, max_length=48)
    reason_detail: str | None = Field(default=None, sa_column=Column(Text))
    amount_cents: int
    payment_reference: str | None = Field(default=None, max_length=64)
    paid_on: date | None = None
    updated_at: datetime


class StatusEvent(SQLModel, table=True):
    """The audit trail: every status change with time, actor, channel and reason."""

    __tablename__ = "status_event"

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    at: datetime
    actor: str = Field(max_length=120)
    channel: str = Field(max_length=16)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str = Field(max_length=24)
    reason: str | None = Field(default=None, max_length=48)
    detail: str | None = Field(default=None, sa_column=Column(Text))


class InformationRequest(SQLModel, table=True):
    """Proof asked for a registration, due by a day; the reference travels in e-mails."""

    __tablename__ = "information_request"

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    reference: str = Field(unique=True, max_length=32)
    info_reason: str = Field(max_length=48)
    documents_needed: str = Field(max_length=200)
    note: str | None = Field(default=None, sa_column=Column(Text))
    opened_at: datetime
    due_on: date = Field(index=True)
    state: str = Field(max_length=16, index=True)
    closed_at: datetime | None = None
    reminders_sent: str = ""


class Document(SQLModel, table=True):
    """A file received for a registration; the bytes live in the content-addressed store."""

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="information_request.id")
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=64)
    size: int
    sender: str = Field(max_length=254)
    channel: str = Field(max_length=16)
    received_at: datetime
    purged_at: datetime | None = None  # the file was deleted (retention after payment)


class OutboxMessage(SQLModel, table=True):
    """A notification to deliver, written in the same transaction as what it announces."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    company_id: int = Field(foreign_key="company.id", index=True)
    topic: str = Field(max_length=32)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    state: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    message_id: str | None = Field(default=None, max_length=255)
    last_error: str | None = Field(default=None, sa_column=Column(Text))


class ImportBatch(SQLModel, table=True):
    """A bulk file a company sent, by content hash, so the same file is never applied twice."""

    __tablename__ = "import_batch"
    __table_args__ = (UniqueConstraint("company_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id")
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    channel: str = Field(max_length=16)
    created_at: datetime
    row_count: int
    summary: str = Field(sa_column=Column(Text, nullable=False))


class ProcessedEmail(SQLModel, table=True):
    """An incoming e-mail already handled, so a re-fetch changes nothing.

    Unique per mailbox and Message-ID (a hash of the bytes when there is none): the row is
    written in the same transaction as the documents, so a second pass, or a second poller,
    finds it and only moves the message. ``sender`` and ``processed_at`` feed the hourly
    limit per sender; ``outcome`` says where the message went (processed, quarantine).
    """

    __tablename__ = "processed_email"
    __table_args__ = (
        UniqueConstraint("mailbox", "message_id", name="uq_processed_email_mailbox_message"),
        Index("ix_processed_email_sender_at", "sender", "processed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=200)
    message_id: str = Field(max_length=255)
    sender: str = Field(max_length=254)
    processed_at: datetime
    outcome: str = Field(max_length=32)
    reason: str | None = Field(default=None, max_length=32)


class RejectedClaim(SQLModel, table=True):
    """A claim that was refused; conflicts between companies are read from here."""

    __tablename__ = "rejected_claim"

    id: int | None = Field(default=None, primary_key=True)
    campaign_code: str = Field(max_length=16)
    company_id: int | None = Field(default=None, foreign_key="company.id")
    serial: str = Field(max_length=64, index=True)
    declared_product: str | None = Field(default=None, max_length=32)
    installed_on: date | None = None
    reason: str = Field(max_length=48, index=True)
    channel: str = Field(max_length=16)
    at: datetime
    conflicting_registration_id: int | None = Field(default=None, foreign_key="registration.id")


class ChatLinkCode(SQLModel, table=True):
    """A chat user's pending proof of access to a company: the e-mailed code and its limits.

    One row per chat user: asking for a new code replaces the code but keeps the count of
    wrong attempts, so requesting codes again and again does not reset the lockout.
    """

    __tablename__ = "chat_link_code"

    id: int | None = Field(default=None, primary_key=True)
    chat_user_id: int = Field(foreign_key="chat_user.id", unique=True)
    company_id: int = Field(foreign_key="company.id")
    code_hash: str = Field(max_length=64)
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    locked_until: datetime | None = None


class ChatConversation(SQLModel, table=True):
    """Where a chat user is in a conversation (e.g. "register: waiting for the product").

    Kept in the database, not in process memory, so a restart or another bot process behind
    the webhook continues the conversation where the user left it.
    """

    __tablename__ = "chat_conversation"

    id: int | None = Field(default=None, primary_key=True)
    chat_user_id: int = Field(foreign_key="chat_user.id", unique=True)
    state: str = Field(max_length=32)
    data: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime


class MailboxCursor(SQLModel, table=True):
    """How far the poller got in one IMAP folder: the last UID handled under a UIDVALIDITY.

    A new UIDVALIDITY (the server renumbered the folder) starts a new row from UID 0; the
    processed-email rows make re-reading what was already handled harmless.
    """

    __tablename__ = "mailbox_cursor"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity"),)

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=200)
    uidvalidity: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_uid: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime


class JobRun(SQLModel, table=True):
    """One scheduled job's run for one period: the unique row makes it run once per period.

    Inserted in the job's own transaction, so a runner that dies mid-job leaves no row and
    another runner (or the next pass) does the work; two runners of the same period meet on
    the unique key and the second one skips.
    """

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_run_job_period"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64)
    period: int = Field(sa_column=Column(BigInteger, nullable=False))
    ran_at: datetime = Field(index=True)


class PortalImport(SQLModel, table=True):
    """A Sunny Portal export, by content hash, so the same export is never applied twice.

    ``job_day`` is set when the daily job imported it: unique, so two processes running the
    job on the same day import one file between them.
    """

    __tablename__ = "portal_import"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    filename: str = Field(max_length=255)
    source: str = Field(max_length=16)
    job_day: date | None = Field(default=None, unique=True)
    actor: str = Field(max_length=120)
    created_at: datetime
    row_count: int
    summary: str = Field(sa_column=Column(Text, nullable=False))


class PortalDevice(SQLModel, table=True):
    """A device the portal transfer handled (transferred, or told as manual-only).

    One per serial per campaign: a device listed again in the next day's export is skipped,
    so a daily export that repeats yesterday's devices changes nothing and tells nothing twice.
    """

    __tablename__ = "portal_device"
    __table_args__ = (
        UniqueConstraint("campaign_code", "serial", name="uq_portal_device_campaign_serial"),
        Index("ix_portal_device_import_company", "import_id", "company_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="portal_import.id")
    campaign_code: str = Field(max_length=16)
    serial: str = Field(max_length=64)
    company_id: int = Field(foreign_key="company.id")
    product_code: str = Field(max_length=32)
    installed_on: date
    handling: str = Field(max_length=24)


class PortalProblem(SQLModel, table=True):
    """A row of an export the operator must look at: wrong customer number or unreadable."""

    __tablename__ = "portal_problem"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="portal_import.id", index=True)
    row_number: int
    handling: str = Field(max_length=32)
    portal_user: str = Field(max_length=200)
    customer_number: str = Field(max_length=200)
    plant: str = Field(max_length=200)
    serial: str = Field(max_length=64)
    detail: str | None = Field(default=None, max_length=200)
