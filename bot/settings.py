"""All configuration, from the environment or a ``.env`` file, validated once at start."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
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
    log_format: Literal["text", "json"] | None = Field(
        default=None, description="Log lines as readable text or one JSON object each; "
                                  "default: text in the sandbox, JSON otherwise.")
    metrics_listen: str = Field(default="127.0.0.1",
                                description="Address the /metrics and /healthz server listens on.")
    metrics_port: int | None = Field(
        default=None, ge=0, le=65535,
        description="Port of the /metrics and /healthz server; empty: off, 0: any free port.")
    documents_retention_days: int | None = Field(
        default=None, gt=0, description="Days after payment after which a registration's "
                                        "documents are deleted; empty: kept.")
    template_max_rows: int = Field(default=10_000, gt=0,
                                   description="Most device rows accepted in one template.")
    template_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0,
                                    description="Largest template file accepted (Telegram's "
                                                "own download limit is 20 MB).")
    portal_export_dir: Path | None = Field(
        default=None, description="Folder the Sunny Portal's daily exports arrive in; empty: "
                                  "no daily transfer.")

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

    # Telegram. Without a token the sandbox's own Bot API server on loopback plays Telegram.
    telegram_mode: Literal["polling", "webhook"] = Field(
        default="polling", description="How updates arrive: long polling or a webhook.")
    telegram_webhook_url: str | None = Field(
        default=None, description="Public HTTPS URL Telegram posts updates to (webhook mode).")
    telegram_webhook_listen: str = Field(default="127.0.0.1",
                                         description="Address the webhook server listens on.")
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535,
                                       description="Port the webhook server listens on.")
    telegram_webhook_secret: str | None = Field(
        default=None, description="Secret Telegram sends with every webhook call.")
    telegram_base_url: str | None = Field(
        default=None, description="Bot API server URL (e.g. a self-hosted one); empty: "
                                  "Telegram's own, or the sandbox's.")
    telegram_base_file_url: str | None = Field(
        default=None, description="Bot API file download URL matching TELEGRAM_BASE_URL.")
    sandbox_port: int = Field(default=8088, ge=0, le=65535,
                              description="Port of the sandbox's Bot API server and chat page "
                                          "on 127.0.0.1 (0: any free port).")
    chat_rate_limit_count: int = Field(default=20, gt=0,
                                       description="Messages one chat user may send per window.")
    chat_rate_limit_seconds: float = Field(default=30.0, gt=0,
                                           description="The per-user throttling window.")
    chat_max_upload_bytes: int = Field(default=20 * 1024 * 1024, gt=0,
                                       description="Largest file a chat user may send (Telegram "
                                                   "bots cannot download more than 20 MB).")
    chat_send_rate: float = Field(default=30.0, ge=0,
                                  description="Messages per second the bot sends in all "
                                              "(Telegram's limit: 30); 0: no limit.")

    # Reading serials from photos of type labels.
    labels_barcodes: bool = Field(default=True,
                                  description="Read barcodes on label photos.")
    labels_ocr: bool = Field(default=True, description="Read the text of label photos when "
                                                       "the tesseract program is installed.")
    labels_tesseract: str = Field(default="tesseract",
                                  description="The tesseract program (name or path).")
    labels_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0,
                                  description="Largest label photo accepted.")
    labels_max_megapixels: int = Field(default=50, gt=0,
                                       description="Most pixels (millions) of a label photo.")

    # The operators' Telegram group: document sets arrive there with decision buttons.
    operator_chat_id: int | None = Field(
        default=None, description="Telegram chat id of the operators' group; empty: none.")
    operators: str = Field(
        default="", description="Telegram user ids allowed to decide in the operators' chat, "
                                "with the name recorded in the audit trail: "
                                "\"111:Anne Martin, 222:Marc\".")

    @field_validator("operators")
    @classmethod
    def _valid_operators(cls, value: str) -> str:
        parse_operators(value)
        return value

    @property
    def operator_names(self) -> dict[int, str]:
        """Telegram user id -> the operator's name for the audit trail."""
        return parse_operators(self.operators)

    @field_validator("telegram_bot_token")
    @classmethod
    def _refuse_placeholder(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() in {"", "changeme", "your-token-here"}:
            if value.strip():
                raise ValueError("TELEGRAM_BOT_TOKEN is a placeholder; set the real token")
            return None
        return value

    @field_validator("metrics_port", "documents_retention_days", "log_format", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # An empty line in .env (as in .env.example) means "not set", not "invalid".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _valid_webhook_secret(cls, value: str | None) -> str | None:
        # Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as a secret token.
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be 16-256 letters, digits, _ or -")
        return value

    @model_validator(mode="after")
    def _webhook_is_complete(self) -> Settings:
        if self.telegram_mode == "webhook" and not self.sandbox and not (
                self.telegram_webhook_url and self.telegram_webhook_secret):
            raise ValueError("webhook mode needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")
        return self

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
    def json_logs(self) -> bool:
        """One JSON object per log line (production), or readable lines (sandbox)."""
        return self.log_format == "json" if self.log_format else not self.sandbox

    @property
    def resolved_database_url(self) -> str:
        """The database to use: DATABASE_URL, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'cashback.sqlite3'}"

    @property
    def resolved_documents_dir(self) -> Path:
        """Where received documents are stored."""
        return self.documents_dir or self.data_dir / "documents"


def parse_operators(value: str) -> dict[int, str]:
    """``"111:Anne Martin, 222:Marc"`` -> ``{111: "Anne Martin", 222: "Marc"}``."""
    found: dict[int, str] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        user_id, _, name = item.partition(":")
        if not user_id.strip().isdigit() or not name.strip():
            raise ValueError(f"OPERATORS: {item!r} is not TELEGRAM_USER_ID:NAME")
        found[int(user_id)] = name.strip()[:100]
    return found
