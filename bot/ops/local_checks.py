"""The doctor's checks that stay on this machine: settings, database, campaigns, documents."""

from __future__ import annotations

import os
import tempfile

from sqlalchemy import make_url

from bot.campaigns import campaign_files, load_campaigns
from bot.mail.secret import SigningSecretMissing, signing_secret
from bot.observability.logs import redact
from bot.ops.findings import Finding, Level, error_text
from bot.settings import Settings
from core.campaign import CampaignError
from core.i18n import N_
from storage.db import make_engine
from storage.migrate import SchemaState, head_revision, schema_state

DEFAULT_MAIL_FROM = "cashback@cashback.example"


def settings_findings(settings: Settings) -> list[Finding]:
    """What is missing or inconsistent in the settings (they parsed, so each value is valid)."""
    found: list[Finding] = []

    def problem(message: str, fix: str, **fields: object) -> None:
        found.append(Finding("settings", Level.PROBLEM, message, fix, fields))

    if not settings.sandbox and not settings.smtp_host:
        problem(N_("A bot token is set but CASHBACK_SMTP_HOST is not: link codes and "
                   "notifications would go to the local sandbox sink, not to the companies."),
                N_("Set CASHBACK_SMTP_HOST (and the SMTP login) of your mail relay."))
    if settings.smtp_host and settings.mail_from == DEFAULT_MAIL_FROM:
        problem(N_("CASHBACK_MAIL_FROM is still the example address %(address)s."),
                N_("Set CASHBACK_MAIL_FROM to the campaign's own address."),
                address=DEFAULT_MAIL_FROM)
    if bool(settings.smtp_username) != bool(settings.smtp_password):
        problem(N_("Only one of CASHBACK_SMTP_USERNAME and CASHBACK_SMTP_PASSWORD is set."),
                N_("Set both, or neither for a relay without login."))
    if settings.imap_host and not (settings.imap_username and settings.imap_password):
        problem(N_("CASHBACK_IMAP_HOST is set without CASHBACK_IMAP_USERNAME and "
                   "CASHBACK_IMAP_PASSWORD."),
                N_("Set the login of the mailbox the replies arrive in."))
    if settings.smtp_host or settings.mail_signing_secret:
        try:
            signing_secret(settings)
        except SigningSecretMissing as missing:
            found.append(Finding("settings", Level.PROBLEM, missing.message,
                                 N_("Generate one, e.g. with: python3 -c \"import secrets; "
                                    "print(secrets.token_urlsafe(32))\""), dict(missing.fields)))
    if not settings.sandbox and not settings.imap_host:
        found.append(Finding("settings", Level.WARNING, N_(
            "CASHBACK_IMAP_HOST is not set: replies with documents are not read."), N_(
            "Set CASHBACK_IMAP_HOST and its login to receive documents by e-mail.")))
    if settings.telegram_mode == "webhook" and settings.telegram_webhook_url and \
            not settings.telegram_webhook_url.startswith("https://"):
        problem(N_("CASHBACK_TELEGRAM_WEBHOOK_URL must start with https:// (Telegram only "
                   "posts to HTTPS)."), N_("Put the bot behind an HTTPS reverse proxy and "
                                           "set its public URL."))
    if not found:
        message = (N_("Sandbox mode: no TELEGRAM_BOT_TOKEN, nothing leaves this machine.")
                   if settings.sandbox else N_("The settings are complete."))
        found.append(Finding("settings", Level.OK, message))
    return found


def database_finding(settings: Settings) -> Finding:
    """Reachable, and its schema revision against the code's."""
    url = settings.resolved_database_url
    shown = make_url(url).render_as_string(hide_password=True)
    engine = make_engine(url)
    try:
        state, revision = schema_state(engine)
    except Exception as error:  # noqa: BLE001 - whatever fails, the operator reads why
        return Finding("database", Level.PROBLEM, N_("Cannot reach the database %(url)s: "
                                                     "%(error)s"),
                       N_("Check DATABASE_URL (host, port, name, user, password) and that "
                          "the server runs and accepts connections from here."),
                       {"url": shown, "error": redact(error_text(error))})
    finally:
        engine.dispose()
    fields: dict[str, object] = {"url": shown, "revision": revision or "-",
                                 "head": head_revision()}
    if state is SchemaState.AHEAD:
        return Finding("database", Level.PROBLEM, N_(
            "The database %(url)s is at schema revision %(revision)s, newer than this version "
            "of the assistant (%(head)s): it refuses to start."), N_(
            "Install the version that migrated it (or a newer one)."), fields)
    if state is SchemaState.EMPTY:
        return Finding("database", Level.WARNING, N_(
            "The database %(url)s is empty: the schema is created at the first start."), N_(
            "Nothing to do, or run: cashback db upgrade"), fields)
    if state is SchemaState.BEHIND:
        return Finding("database", Level.WARNING, N_(
            "The database %(url)s is at schema revision %(revision)s; this version brings it "
            "to %(head)s at start."), N_("Back it up first (README \"Backup and restore\"), "
                                         "then start or run: cashback db upgrade"), fields)
    return Finding("database", Level.OK, N_("The database %(url)s answers; schema revision "
                                            "%(revision)s is current."), None, fields)


def campaigns_finding(settings: Settings) -> Finding:
    """Every campaign file loads."""
    paths = campaign_files(settings.campaigns_dir)
    fields: dict[str, object] = {"folder": str(settings.campaigns_dir)}
    if not paths:
        return Finding("campaigns", Level.PROBLEM, N_("No campaign file in %(folder)s."),
                       N_("Set CASHBACK_CAMPAIGNS_DIR to the folder of the *.toml files."),
                       fields)
    try:
        campaigns = load_campaigns(paths)
    except (CampaignError, OSError) as error:
        return Finding("campaigns", Level.PROBLEM, N_("Invalid campaign file: %(error)s"),
                       N_("Correct the file; cashback campaigns check tells what is wrong."),
                       {**fields, "error": str(error)})
    return Finding("campaigns", Level.OK, N_("Campaigns valid: %(codes)s."), None,
                   {**fields, "codes": ", ".join(sorted(campaigns))})


def documents_finding(settings: Settings) -> Finding:
    """The documents folder exists (or can be created) and accepts a file."""
    folder = settings.resolved_documents_dir
    fields: dict[str, object] = {"folder": str(folder)}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".doctor-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        return Finding("documents", Level.PROBLEM, N_("Cannot write in the documents folder "
                                                      "%(folder)s: %(error)s"),
                       N_("Create the folder and give the assistant's user write access, or "
                          "set CASHBACK_DOCUMENTS_DIR."), {**fields, "error": error_text(error)})
    return Finding("documents", Level.OK, N_("The documents folder %(folder)s is writable."),
                   None, fields)
