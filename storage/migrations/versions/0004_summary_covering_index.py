"""Covering index for a company's status summary

The summary groups a company's registrations by status and sums their amounts; with the
amount in the index the database answers from the index alone, which keeps large installers
(10,000 registrations) fast. It replaces the (company_id, status) index, its prefix.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("registration") as batch_op:
        batch_op.create_index("ix_registration_company_status_amount",
                              ["company_id", "status", "amount_cents"])
        batch_op.drop_index("ix_registration_company_status")


def downgrade() -> None:
    with op.batch_alter_table("registration") as batch_op:
        batch_op.create_index("ix_registration_company_status", ["company_id", "status"])
        batch_op.drop_index("ix_registration_company_status_amount")
