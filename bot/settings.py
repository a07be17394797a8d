"""All configuration, from the environment or a ``.env`` file, validated once at start."""

from __future__ import annotations

from pathlib import Path

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
