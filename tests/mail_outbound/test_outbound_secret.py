"""The Message-ID signing secret: configured for real mail, generated once in the sandbox."""

from pathlib import Path

import pytest

from bot.mail.secret import SECRET_FILE, SigningSecretMissing, signing_secret
from bot.settings import Settings


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]


def test_real_smtp_without_a_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SigningSecretMissing):
        signing_secret(settings(tmp_path, smtp_host="smtp.example", mail_signing_secret=None))


@pytest.mark.parametrize("value", ["changeme", "short-secret"])
def test_a_placeholder_or_short_secret_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(SigningSecretMissing):
        signing_secret(settings(tmp_path, smtp_host="smtp.example", mail_signing_secret=value))


def test_a_configured_secret_is_used_as_is(tmp_path: Path) -> None:
    secret = "s" * 40
    assert signing_secret(settings(tmp_path, smtp_host="smtp.example",
                                   mail_signing_secret=secret)) == secret
    assert not (tmp_path / SECRET_FILE).exists()


def test_the_sandbox_generates_one_secret_and_keeps_it(tmp_path: Path) -> None:
    first = signing_secret(settings(tmp_path, smtp_host=None, mail_signing_secret=None))
    again = signing_secret(settings(tmp_path, smtp_host=None, mail_signing_secret=None))
    assert first == again
    assert len(first) >= 32
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]
