"""The operations commands: ``cashback doctor``, ``cashback backup``, ``cashback restore``.

They run from the settings alone (no migration, no campaign loading first), so they work
on exactly what is broken or about to be replaced.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.operator.commands import Output
from bot.ops.backup import create_backup, restore_backup
from bot.ops.doctor import doctor
from bot.settings import Settings
from core.i18n import Translator


def add_ops_commands(command: Callable[..., argparse.ArgumentParser],
                     sub: argparse._SubParsersAction[argparse.ArgumentParser],
                     t: Translator) -> None:
    """Add doctor, backup and restore to the parser."""
    _ = t.gettext
    check = command("doctor", None, _("check settings, database, mail servers and Telegram"))
    check.set_defaults(settings_handler=doctor)
    save = command("backup", None, _("write the database and the documents into one archive"))
    save.add_argument("archive", type=Path, help=_("file to write (.tar.gz)"))
    save.set_defaults(settings_handler=backup)
    load = command("restore", None, _("put a backup's database and documents back (stop the "
                                      "assistant first)"))
    load.add_argument("archive", type=Path, help=_("archive written by cashback backup"))
    load.add_argument("--replace", action="store_true",
                      help=_("replace the existing database"))
    load.set_defaults(settings_handler=restore)


def backup(settings: Settings, args: argparse.Namespace, out: Output) -> int:
    """``cashback backup ARCHIVE``."""
    report = create_backup(database_url=settings.resolved_database_url,
                           documents_dir=settings.resolved_documents_dir, archive=args.archive,
                           now=datetime.now(UTC))
    if out.as_json:
        out.data({"archive": str(report.archive), "backend": report.backend,
                  "schema_revision": report.schema_revision, "documents": report.documents})
    else:
        out.translated("Backup written to %(archive)s: the %(backend)s database (schema "
                       "revision %(revision)s) and %(count)d documents.",
                       archive=report.archive, backend=report.backend,
                       revision=report.schema_revision or "-", count=report.documents)
    return 0


def restore(settings: Settings, args: argparse.Namespace, out: Output) -> int:
    """``cashback restore ARCHIVE [--replace]``."""
    report = restore_backup(database_url=settings.resolved_database_url,
                            documents_dir=settings.resolved_documents_dir,
                            archive=args.archive, replace=args.replace)
    if out.as_json:
        out.data({"archive": str(report.archive), "backend": report.backend,
                  "schema_revision": report.schema_revision, "documents": report.documents})
    else:
        out.translated("Restored from %(archive)s: the %(backend)s database (schema revision "
                       "%(revision)s) and %(count)d documents. Start the assistant to "
                       "migrate it if this version is newer.",
                       archive=report.archive, backend=report.backend,
                       revision=report.schema_revision or "-", count=report.documents)
    return 0
