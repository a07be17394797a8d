"""All configuration, from the environment or a ``.env`` file, validated once at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting has a default that runs the local sandbox; see README "Settings"."""

    model_config = SettingsConfigDict(env_prefix="CASHBACK_", env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=PROJECT_ROOT / ".data",
                           description="Folder for the SQLite file and the documents.")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "CASHBACK_DATABASE_URL"),
        description="SQLAlchemy URL; empty means SQLite in the data folder.")
    campaigns_dir: Path = Field(default=PROJECT_ROOT / "campaigns",
                                description="Folder of campaign files (*.toml).")
    documents_dir: Path | None = Field(
        default=None, description="Folder of received documents; default: DATA_DIR/documents.")
    telegram_bot_token: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "CASHBACK_TELEGRAM_BOT_TOKEN"),
        description="Bot token from @BotFather; empty runs the local sandbox.")
    default_language: str = Field(default="fr", description="Language when none is known.")
    jobs_interval_seconds: float = Field(
        default=300.0, gt=0, description="How often deadlines and reminders are checked.")
    log_level: str = Field(default="INFO", description="Python logging level.")

    # Outgoing e-mail. Without a host the sandbox catches mail on loopback.
    smtp_host: str | None = Field(default=None, description="SMTP server; empty: sandbox sink.")
    smtp_port: int = Field(default=587, description="SMTP port (587 STARTTLS, 465 TLS).")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="How the SMTP connection is secured.")
    smtp_username: str | None = Field(default=None, description="SMTP login.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, description="SMTP timeout.")
    mail_from: str = Field(default="cashback@cashback.example",
                           description="From address of everything the assistant sends.")
    mail_reply_to: str | None = Field(
        default=None, description="Mailbox replies go to (plus-addressed); default: MAIL_FROM.")
    mail_signing_secret: str | None = Field(
        default=None, description="Secret signing our Message-IDs; required outside the sandbox.")

    # Incoming e-mail (replies with documents).
    imap_host: str | None = Field(default=None, description="IMAP server; empty: no polling.")
    imap_port: int = Field(default=993, description="IMAP port (993 TLS, 143 STARTTLS).")
    imap_security: Literal["tls", "starttls", "none"] = Field(
        default="tls", description="How the IMAP connection is secured.")
    imap_username: str | None = Field(default=None, description="IMAP login.")
    imap_password: str | None = Field(default=None, description="IMAP password.")
    imap_folder: str = Field(default="INBOX", description="Folder the replies arrive in.")
    imap_processed_folder: str = Field(default="Cashback/Processed",
                                       description="Where handled messages are moved.")
    imap_quarantine_folder: str = Field(default="Cashback/Quarantine",
                                        description="Where unusable messages are moved.")
    mail_poll_seconds: float = Field(default=60.0, gt=0,
                                     description="Polling interval when IDLE is not offered.")
    mail_max_attachment_bytes: int = Field(default=15 * 1024 * 1024, gt=0,
                                           description="Largest accepted document.")
    mail_max_attachments: int = Field(default=10, gt=0,
                                      description="Most documents accepted per message.")
    mail_sender_hourly_limit: int = Field(default=30, gt=0,
                                          description="Messages one sender may have processed "
                                                      "per hour.")

    @field_validator("telegram_bot_token")
    @classmethod
    def _refuse_placeholder(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() in {"", "changeme", "your-token-here"}:
            if value.strip():
                raise ValueError("TELEGRAM_BOT_TOKEN is a placeholder; set the real token")
            return None
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in {"fr", "it", "en"}:
            raise ValueError("default_language must be fr, it or en")
        return value

    @property
    def sandbox(self) -> bool:
        """No Telegram credentials: everything runs locally."""
        return self.telegram_bot_token is None

    @property
    def resolved_database_url(self) -> str:
        """The database to use: DATABASE_URL, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'cashback.sqlite3'}"

    @property
    def resolved_documents_dir(self) -> Path:
        """Where received documents are stored."""
        return self.documents_dir or self.data_dir / "documents"
