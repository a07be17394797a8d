"""The secret that signs our Message-IDs, shared by outgoing and incoming mail.

Outgoing mail signs the outbox id in its ``Message-ID`` (see :mod:`bot.mail.references`);
the reply matcher verifies the signature, so a stranger cannot point a reply at someone
else's information request. Both sides must therefore use the same secret:

- with a real SMTP server (``CASHBACK_SMTP_HOST`` set) the secret must be configured
  (``CASHBACK_MAIL_SIGNING_SECRET``), at least 32 characters and not a placeholder: a
  secret generated on one machine would not verify replies on another;
- in the sandbox (no SMTP host) one is generated on first use and kept in
  ``DATA_DIR/mail-signing-secret``, so every process of this sandbox agrees and a restart
  keeps matching replies to mail sent before it.
"""

from __future__ import annotations

import os
import secrets

from bot.settings import Settings
from core.i18n import N_, LocalizedError

SECRET_FILE = "mail-signing-secret"
MIN_LENGTH = 32
PLACEHOLDERS = frozenset({"changeme", "secret", "your-secret-here", "change-me"})


class SigningSecretMissing(LocalizedError):
    """Real mail is configured but the secret is absent or too weak."""


def signing_secret(settings: Settings) -> str:
    """The Message-ID signing secret: configured, or the sandbox's own (created once)."""
    configured = (settings.mail_signing_secret or "").strip()
    if configured:
        if configured.lower() in PLACEHOLDERS or len(configured) < MIN_LENGTH:
            raise SigningSecretMissing(N_(
                "CASHBACK_MAIL_SIGNING_SECRET is a placeholder or shorter than %(length)d "
                "characters; set a long random value."), length=MIN_LENGTH)
        return configured
    if settings.smtp_host:
        raise SigningSecretMissing(N_(
            "CASHBACK_MAIL_SIGNING_SECRET is required when CASHBACK_SMTP_HOST is set: it signs "
            "the references that replies carry."))
    return _sandbox_secret(settings)


def _sandbox_secret(settings: Settings) -> str:
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            # A hard link appears complete or not at all and fails if the name exists: when
            # two processes start at once, the first one's secret wins and both read it.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_LENGTH:
        raise SigningSecretMissing(N_("The sandbox's signing secret in %(path)s is damaged; "
                                      "delete the file to create a new one."), path=str(path))
    return value
