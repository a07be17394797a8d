"""The daily portal transfer: the newest export of the folder, once a day, in one process only."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from databases import Database
from sqlmodel import Session, func, select

from bot.bootstrap import App, bootstrap
from bot.portal_job import newest_export, run_portal_job
from bot.sandbox import sandbox_devices, seed_sandbox
from bot.settings import Settings
from storage.services.portal import import_portal_export
from storage.services.portal_reports import PortalReport
from storage.tables import PortalImport, Registration

HEADER = ("portal_user;customer_number;customer_number_entered_at;plant;serial;product;"
          "device_added_at;commissioned_on")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


STP_SE = [d.serial for d in sandbox_devices() if d.product_code == "STP-SE"]


def write_export(folder: Path, name: str, serials: list[str], age_seconds: int = 0) -> Path:
    lines = [HEADER] + [f"marie@soleil.example;100001;2026-05-01;Roux;{serial};STP-SE;"
                        "2026-05-20;2026-05-18" for serial in serials]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stamp = datetime.now().timestamp() - age_seconds
    os.utime(path, (stamp, stamp))
    return path


def make_app(database: Database, tmp_path: Path, clock: Clock, folder: Path | None) -> App:
    settings = Settings(data_dir=tmp_path / "data", database_url=database.url,
                        portal_export_dir=folder)
    return bootstrap(settings, clock=clock)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "portal"
    folder.mkdir()
    return folder


@pytest.fixture
def app(database: Database, tmp_path: Path, clock: Clock, exports: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    monkeypatch.chdir(tmp_path)
    app = make_app(database, tmp_path, clock, exports)
    seed_sandbox(app)
    yield app
    app.engine.dispose()


def counts(app: App) -> tuple[int, int]:
    with Session(app.engine) as session:
        imports = session.exec(select(func.count()).select_from(PortalImport)).one()
        registrations = session.exec(select(func.count()).select_from(Registration)).one()
    return imports, registrations


def test_without_a_folder_the_job_does_nothing(database: Database, tmp_path: Path,
                                               clock: Clock) -> None:
    app = make_app(database, tmp_path, clock, None)

    assert run_portal_job(app) is None
    app.engine.dispose()


def test_the_job_imports_the_newest_export_once_a_day(app: App, exports: Path,
                                                      clock: Clock) -> None:
    write_export(exports, "2026-06-13.csv", [STP_SE[0]], age_seconds=7200)
    write_export(exports, "2026-06-14.csv", [STP_SE[0], STP_SE[1]], age_seconds=60)
    (exports / "notes.txt").write_text("not an export")

    report = run_portal_job(app)

    assert report is not None
    assert report.filename == "2026-06-14.csv"
    assert counts(app) == (1, 2)
    write_export(exports, "2026-06-15.csv", [STP_SE[2]])
    assert run_portal_job(app) is None  # same day: once is enough
    assert counts(app) == (1, 2)

    clock.now += timedelta(days=1)
    tomorrow = run_portal_job(app)

    assert tomorrow is not None
    assert tomorrow.filename == "2026-06-15.csv"
    assert counts(app) == (2, 3)


def test_an_export_already_imported_by_hand_is_not_imported_again(
        app: App, exports: Path, clock: Clock) -> None:
    path = write_export(exports, "2026-06-14.csv", [STP_SE[0]])
    with app.uow() as uow:
        import_portal_export(uow, campaigns=app.campaigns, data=path.read_bytes(),
                             filename=path.name, actor="operator", now=clock())

    assert run_portal_job(app) is None
    assert counts(app) == (1, 1)


def test_two_processes_running_the_job_at_once_import_it_once(
        app: App, database: Database, tmp_path: Path, exports: Path, clock: Clock) -> None:
    write_export(exports, "2026-06-14.csv", STP_SE[:20])
    apps = [app, make_app(database, tmp_path, clock, exports)]
    start = threading.Barrier(2)
    reports: list[PortalReport | None] = []

    def job(worker: App) -> None:
        start.wait()
        reports.append(run_portal_job(worker))

    threads = [threading.Thread(target=job, args=(worker,)) for worker in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    apps[1].engine.dispose()

    done = [r for r in reports if r is not None and not r.duplicate]
    assert len(done) == 1
    imports, registrations = counts(app)
    assert imports == 1
    assert registrations == done[0].totals["transferred"]


def test_newest_export_ignores_hidden_and_other_files(exports: Path) -> None:
    write_export(exports, "old.json", [], age_seconds=100)
    write_export(exports, ".partial.csv", [])
    (exports / "readme.txt").write_text("x")

    newest = newest_export(exports)

    assert newest is not None
    assert newest.name == "old.json"
    assert newest_export(exports / "missing") is None
