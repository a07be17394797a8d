"""Schema migrations with Alembic, driven from code so no alembic.ini is needed."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from core.i18n import N_, LocalizedError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaTooNew(LocalizedError, RuntimeError):
    """The database was migrated by a newer version of the assistant."""


class SchemaState(StrEnum):
    """Where the database's schema stands against this code."""

    EMPTY = "empty"
    BEHIND = "behind"
    CURRENT = "current"
    AHEAD = "ahead"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest schema revision this code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_state(engine: Engine) -> tuple[SchemaState, str | None]:
    """The database's revision and how it compares with the code's (no change made)."""
    current = current_revision(engine)
    if current is None:
        return SchemaState.EMPTY, None
    script = ScriptDirectory.from_config(_config())
    if current not in {r.revision for r in script.walk_revisions()}:
        return SchemaState.AHEAD, current
    return (SchemaState.CURRENT if current == head_revision() else SchemaState.BEHIND), current


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; refuse a database newer than this code."""
    current = current_revision(engine)
    script = ScriptDirectory.from_config(_config())
    # get_revision raises (not returns None) for a revision it has never heard of.
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        raise SchemaTooNew(N_("The database is at schema revision %(revision)s, which this "
                              "version of the assistant does not know: it was migrated by a "
                              "newer version. Install that version (or newer) before starting; "
                              "nothing was changed."), revision=current)
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def autogenerate(engine: Engine, message: str) -> None:
    """Write a new revision from the difference between the tables and the database."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
