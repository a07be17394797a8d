"""Backups: the database and the documents folder in one ``.tar.gz``, and back again.

SQLite is copied with SQLite's online backup API (a consistent copy while the assistant
runs); PostgreSQL with ``pg_dump --format=custom`` (restored with ``pg_restore``). Documents
are stored by content hash, so restoring them into a folder that has some already is safe.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import URL, make_url

from core.i18n import N_, LocalizedError
from storage.db import make_engine
from storage.migrate import current_revision

SQLITE_NAME = "database/cashback.sqlite3"
POSTGRES_NAME = "database/cashback.pgdump"
DOCUMENTS = "documents"
MANIFEST = "manifest.json"


class BackupError(LocalizedError):
    """A backup or restore that cannot be done, and why."""


@dataclass(frozen=True)
class BackupReport:
    """What went into (or came out of) an archive."""

    archive: Path
    backend: str
    schema_revision: str | None
    documents: int


def _postgres(url: URL) -> tuple[str, dict[str, str], list[str]]:
    """A libpq URL without the password (given in the environment) and the schema option."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    options = unquote(str(plain.query.get("options", "")))
    schema = [f"--schema={part.split('=', 1)[1]}" for part in options.split()
              if part.startswith("-csearch_path=")]
    return plain.render_as_string(hide_password=False), environment, schema


def _run(command: list[str], environment: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(N_("%(program)s is not installed: install the PostgreSQL client "
                             "tools of the server's version."), program=command[0])
    done = subprocess.run(command, env=environment, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise BackupError(N_("%(program)s failed: %(error)s"), program=command[0],
                          error=done.stderr.strip()[-500:])


def create_backup(*, database_url: str, documents_dir: Path, archive: Path,
                  now: datetime) -> BackupReport:
    """Write the database and the documents into ``archive`` (.tar.gz)."""
    url = make_url(database_url)
    engine = make_engine(database_url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database"
        if url.get_backend_name() == "sqlite":
            backend, name = "sqlite", SQLITE_NAME
            source = sqlite3.connect(str(url.database))
            target = sqlite3.connect(dump)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            backend, name = "postgresql", POSTGRES_NAME
            libpq, environment, schema = _postgres(url)
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", *schema,
                  f"--dbname={libpq}"], environment)
        documents = sorted(p for p in documents_dir.rglob("*")
                           if p.is_file() and not p.name.startswith(".")) \
            if documents_dir.is_dir() else []
        manifest = {"created_at": now.isoformat(), "backend": backend,
                    "schema_revision": revision, "documents": len(documents)}
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=2))
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(work) / MANIFEST, MANIFEST)
            tar.add(dump, name)
            for path in documents:
                tar.add(path, f"{DOCUMENTS}/{path.relative_to(documents_dir).as_posix()}")
        os.replace(partial, archive)
    return BackupReport(archive, backend, revision, len(documents))


def restore_backup(*, database_url: str, documents_dir: Path, archive: Path,
                   replace: bool) -> BackupReport:
    """Put an archive's database and documents back (the assistant must be stopped)."""
    url = make_url(database_url)
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory() as work:
        tar.extractall(work, filter="data")
        folder = Path(work)
        manifest = json.loads((folder / MANIFEST).read_text())
        backend = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
        if manifest["backend"] != backend:
            raise BackupError(N_("This archive holds a %(archive)s database; DATABASE_URL names "
                                 "a %(target)s one."), archive=manifest["backend"],
                              target=backend)
        if backend == "sqlite":
            _restore_sqlite(folder / SQLITE_NAME, Path(str(url.database)), replace=replace)
        else:
            libpq, environment, _schema = _postgres(url)
            clean = ["--clean", "--if-exists"] if replace else []
            _run(["pg_restore", "--no-owner", *clean, f"--dbname={libpq}",
                  str(folder / POSTGRES_NAME)], environment)
        restored = 0
        if (folder / DOCUMENTS).is_dir():
            for path in sorted((folder / DOCUMENTS).rglob("*")):
                if path.is_file():
                    target = documents_dir / path.relative_to(folder / DOCUMENTS)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
                    restored += 1
    return BackupReport(archive, backend, manifest.get("schema_revision"), restored)


def _restore_sqlite(copy: Path, database: Path, *, replace: bool) -> None:
    if database.exists() and not replace:
        raise BackupError(N_("The database %(path)s exists: restoring would replace it. Stop "
                             "the assistant and add --replace to do so."), path=database)
    database.parent.mkdir(parents=True, exist_ok=True)
    for stale in (database.with_name(database.name + "-wal"),
                  database.with_name(database.name + "-shm")):
        stale.unlink(missing_ok=True)
    partial = database.with_name(database.name + ".restoring")
    shutil.copyfile(copy, partial)
    os.replace(partial, database)
