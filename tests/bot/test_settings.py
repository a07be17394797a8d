"""Settings: every one documented, placeholders refused, the sandbox when nothing is set."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def environment_names(name: str) -> list[str]:
    field = Settings.model_fields[name]
    alias = field.validation_alias
    choices = getattr(alias, "choices", None)
    if choices:
        return [str(choice) for choice in choices]
    return [f"CASHBACK_{name.upper()}"]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme_table(name: str) -> None:
    names = environment_names(name)
    assert any(re.search(rf"`{re.escape(n)}`", README) for n in names), \
        f"README lists none of {names}"


def test_no_credentials_means_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("TELEGRAM_BOT_TOKEN", "CASHBACK_TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    assert Settings(_env_file=None).sandbox


@pytest.mark.parametrize("placeholder", ["changeme", "your-token-here"])
def test_a_placeholder_token_is_refused(placeholder: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", placeholder)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_database_url_defaults_to_sqlite_in_the_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CASHBACK_DATABASE_URL", raising=False)
    monkeypatch.setenv("CASHBACK_DATA_DIR", str(tmp_path))
    settings = Settings(_env_file=None)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'cashback.sqlite3'}"
