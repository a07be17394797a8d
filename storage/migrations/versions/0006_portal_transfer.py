"""Sunny Portal transfer: imported exports, the devices they handled, the rows to look at

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "portal_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", text(length=64), nullable=False),
        sa.Column("filename", text(length=255), nullable=False),
        sa.Column("source", text(length=16), nullable=False),
        sa.Column("job_day", sa.Date(), nullable=True),
        sa.Column("actor", text(length=120), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
        sa.UniqueConstraint("job_day"),
    )
    op.create_table(
        "portal_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("campaign_code", text(length=16), nullable=False),
        sa.Column("serial", text(length=64), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("product_code", text(length=32), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=False),
        sa.Column("handling", text(length=24), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["portal_import.id"]),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_code", "serial", name="uq_portal_device_campaign_serial"),
    )
    op.create_index("ix_portal_device_import_company", "portal_device",
                    ["import_id", "company_id"])
    op.create_table(
        "portal_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("handling", text(length=32), nullable=False),
        sa.Column("portal_user", text(length=200), nullable=False),
        sa.Column("customer_number", text(length=200), nullable=False),
        sa.Column("plant", text(length=200), nullable=False),
        sa.Column("serial", text(length=64), nullable=False),
        sa.Column("detail", text(length=200), nullable=True),
        sa.ForeignKeyConstraint(["import_id"], ["portal_import.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_portal_problem_import_id", "portal_problem", ["import_id"])


def downgrade() -> None:
    op.drop_index("ix_portal_problem_import_id", table_name="portal_problem")
    op.drop_table("portal_problem")
    op.drop_index("ix_portal_device_import_company", table_name="portal_device")
    op.drop_table("portal_device")
    op.drop_table("portal_import")
