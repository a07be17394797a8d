"""``cashback backup`` and ``cashback restore``: the database and the documents, round trip."""

from __future__ import annotations

import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from databases import Database
from sqlalchemy import text

from bot.cli import main
from bot.ops.backup import BackupError, create_backup, restore_backup
from storage.documents import DocumentStore
from storage.migrate import head_revision

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def companies(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return [row[0] for row in connection.execute(
            text("SELECT customer_number FROM company ORDER BY customer_number"))]


def add_company(database: Database, number: str) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO company (customer_number, name, campaign_code, language, enrolled, "
            "created_at) VALUES (:number, 'Solaire', 'fr-2026', 'fr', true, :at)"),
            {"number": number, "at": NOW})


def test_a_backup_restores_the_database_and_the_documents(database: Database,
                                                          tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "documents")
    digest = store.put(b"%PDF-1.7 invoice")
    add_company(database, "100001")
    archive = tmp_path / "backups" / "cashback.tar.gz"

    made = create_backup(database_url=database.url, documents_dir=store.root,
                         archive=archive, now=NOW)

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = tar.getnames()
    assert manifest == {"created_at": NOW.isoformat(), "backend": made.backend,
                        "schema_revision": head_revision(), "documents": 1}
    assert f"documents/{digest[:2]}/{digest[2:4]}/{digest}" in names

    add_company(database, "100002")  # a change after the backup, lost by the restore
    store.path_for(digest).unlink()
    database.engine.dispose()
    restored = restore_backup(database_url=database.url, documents_dir=store.root,
                              archive=archive, replace=True)

    assert companies(database) == ["100001"]
    assert store.read(digest) == b"%PDF-1.7 invoice"
    assert (restored.backend, restored.documents) == (made.backend, 1)


def test_restore_refuses_to_overwrite_a_database_without_replace(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cashback.sqlite3'}"
    archive = create_backup(database_url=url, documents_dir=tmp_path / "none",
                            archive=tmp_path / "b.tar.gz", now=NOW).archive

    with pytest.raises(BackupError, match="--replace"):
        restore_backup(database_url=url, documents_dir=tmp_path / "documents",
                       archive=archive, replace=False)


def test_backup_and_restore_from_the_command_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "CASHBACK_DATABASE_URL", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASHBACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--once"]) == 0  # the sandbox: demo companies and devices
    capsys.readouterr()
    archive = tmp_path / "saved.tar.gz"

    assert main(["backup", str(archive), "--lang", "fr"]) == 0
    said = capsys.readouterr().out
    (tmp_path / "data" / "cashback.sqlite3").unlink()
    assert main(["restore", str(archive), "--json"]) == 0
    restored = json.loads(capsys.readouterr().out)
    assert main(["status", "--company", "100001", "--json"]) == 0

    assert said.startswith(f"Sauvegarde écrite dans {archive} : la base sqlite")
    assert restored["backend"] == "sqlite"
    assert restored["schema_revision"] == head_revision()
