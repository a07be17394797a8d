"""At start: a database newer than the code is refused, untouched; retention runs with the jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from bot.bootstrap import bootstrap
from bot.cli import main
from bot.observability.metrics import registry
from bot.runner import purge_documents
from bot.settings import Settings
from storage.db import make_engine
from storage.migrate import current_revision


def test_a_database_from_a_newer_version_is_refused_with_a_localized_message(
        clean_environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    engine = make_engine(Settings().resolved_database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    capsys.readouterr()

    code = main(["run", "--once", "--lang", "fr"])

    err = capsys.readouterr().err
    assert code == 2
    # The last line: the runner logs that it is starting before it opens the database.
    assert err.splitlines()[-1].startswith("La base de données est à la révision du schéma "
                                           "9999_future, que cette version de l'assistant ne "
                                           "connaît pas")
    assert "Traceback" not in err
    assert current_revision(engine) == "9999_future"
    engine.dispose()


def test_retention_is_a_counted_job_only_when_set(clean_environment: Path) -> None:
    kept = bootstrap(Settings())
    purged = bootstrap(Settings(documents_retention_days=30))
    metrics = registry(kept.engine, kept.clock)

    def runs() -> float:
        labels = {"job": "purge_documents", "outcome": "ok"}
        return metrics.get_sample_value("cashback_job_runs_total", labels) or 0.0

    before = runs()

    assert purge_documents(kept) == 0
    assert runs() == before
    assert purge_documents(purged) == 0
    assert runs() == before + 1
    kept.engine.dispose()
    purged.engine.dispose()
