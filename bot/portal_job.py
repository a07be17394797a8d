"""The daily Sunny Portal transfer: the newest export in the configured folder, once a day.

Safe with several processes: the import is recorded under the day (``job_day``, unique) and
the export's hash (unique) in the same transaction as what it registers, so the second
process to get there finds it done and changes nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC
from pathlib import Path

from bot.bootstrap import App
from core.portal_export import PortalExportError
from core.template import content_hash
from storage.services.portal import import_portal_export
from storage.services.portal_reports import PortalReport, earlier_import, job_imported_on

log = logging.getLogger("cashback.portal")
EXPORT_SUFFIXES = (".csv", ".json")
JOB_ACTOR = "portal-job"


def newest_export(folder: Path) -> Path | None:
    """The most recently written CSV or JSON file of the folder (hidden files ignored)."""
    if not folder.is_dir():
        return None
    files = [path for path in folder.iterdir() if path.is_file()
             and not path.name.startswith(".") and path.suffix.lower() in EXPORT_SUFFIXES]
    return max(files, key=lambda path: (path.stat().st_mtime, path.name), default=None)


def run_portal_job(app: App) -> PortalReport | None:
    """Import today's export if the job has not yet; None when there was nothing to do."""
    folder = app.settings.portal_export_dir
    if folder is None:
        return None
    now = app.clock()
    today = now.astimezone(UTC).date()
    with app.uow() as uow:
        if job_imported_on(uow.session, today):
            return None
    path = newest_export(folder)
    if path is None:
        return None
    data = path.read_bytes()
    with app.uow() as uow:
        if earlier_import(uow.session, content_hash(data)) is not None:
            return None  # the newest export was imported already (by hand, or yesterday)
    try:
        with app.uow() as uow:
            report = import_portal_export(uow, campaigns=app.campaigns, data=data,
                                          filename=path.name, actor=JOB_ACTOR, now=now,
                                          source="job", job_day=today)
    except PortalExportError as error:
        log.error("portal export %s not imported: %s", path, error)
        return None
    if not report.duplicate:
        log.info("portal export %s: %d rows, %d devices transferred, %d problems", path.name,
                 report.totals.get("rows", 0), report.totals.get("transferred", 0),
                 len(report.problems))
    return report
