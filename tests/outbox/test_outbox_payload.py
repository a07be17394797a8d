"""The digest payload: written in columns, read back whole, older rows still understood."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import select

from storage.outbox import StatusChange, changes_in, notify_status_changes, payload_references
from storage.tables import Company, OutboxMessage
from storage.uow import UnitOfWork

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
PENDING = StatusChange(1, "3012345678", "STP-SE", None, "pending_payment", 10000)
ASKED = StatusChange(2, "3012345679", "SHM", None, "info_required", 3000, "audit_sample",
                     None, date(2026, 6, 29), "R-7KQ2M")


def queued(engine: Engine, changes: list[StatusChange]) -> list[OutboxMessage]:
    with UnitOfWork(engine) as uow:
        company = Company(customer_number="C-1", name="Installer", campaign_code="fr-2026",
                          language="fr", created_at=NOW)
        uow.session.add(company)
        uow.session.flush()
        assert company.id is not None
        notify_status_changes(uow.session, company_id=company.id, changes=changes, now=NOW)
        uow.commit()
        return list(uow.session.exec(select(OutboxMessage)))


def test_a_digest_is_read_back_as_the_changes_it_announced(engine: Engine) -> None:
    changes = [PENDING, ASKED] * 1_500  # more than one encoded slice
    rows = queued(engine, changes)
    assert sorted(row.kind for row in rows) == ["chat", "email"]
    assert {row.payload for row in rows} == {rows[0].payload}
    assert changes_in(rows[0].payload) == changes


def test_a_digest_names_its_fields_once_and_each_change_as_a_list(engine: Engine) -> None:
    [row, _] = queued(engine, [ASKED])
    document = json.loads(row.payload)
    assert document["fields"] == list(StatusChange._fields)
    assert document["changes"] == [[2, "3012345679", "SHM", None, "info_required", 3000,
                                    "audit_sample", None, "2026-06-29", "R-7KQ2M"]]
    assert payload_references(document) == ["R-7KQ2M"]


def test_a_row_queued_before_the_column_layout_is_still_read() -> None:
    older = {"changes": [{**PENDING._asdict()}, {**ASKED._asdict(), "due_on": "2026-06-29"}]}
    assert changes_in(json.dumps(older)) == [PENDING, ASKED]
    assert payload_references(older) == ["R-7KQ2M"]


def test_a_payload_that_is_not_a_digest_names_only_its_own_references() -> None:
    assert payload_references({"references": ["R-1", "", 7]}) == ["R-1"]
    assert payload_references({"changes": "not a list"}) == []
    assert payload_references({"fields": ["serial"], "changes": [["3012345678"], 7]}) == []
