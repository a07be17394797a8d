"""The schema comes from Alembic migrations: complete, repeatable, and never downgraded."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel
from storage_support import count_rows

from storage.migrate import SchemaTooNew, current_revision, head_revision, upgrade


def test_migration_creates_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())

    assert tables == {*SQLModel.metadata.tables, "alembic_version"}
    assert current_revision(engine) == head_revision()


def test_migrated_schema_matches_the_table_definitions(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection),
                                       SQLModel.metadata)

    assert differences == []


def test_registration_serial_is_unique_per_campaign_in_the_schema(engine: Engine) -> None:
    constraints = inspect(engine).get_unique_constraints("registration")

    assert {"name": "uq_registration_campaign_serial",
            "column_names": ["campaign_code", "serial"]} in [
        {"name": c["name"], "column_names": c["column_names"]} for c in constraints]


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO device (serial, product_code) VALUES ('3012345678', 'STP-SE')"))
    before = count_rows(engine)
    tables = set(inspect(engine).get_table_names())

    upgrade(engine)

    assert current_revision(engine) == head_revision()
    assert count_rows(engine) == before
    assert set(inspect(engine).get_table_names()) == tables


def test_upgrade_refuses_a_database_from_a_newer_version(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))

    with pytest.raises(SchemaTooNew, match="9999_future"):
        upgrade(engine)

    assert current_revision(engine) == "9999_future"
