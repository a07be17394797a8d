"""incoming mail: processed e-mails per mailbox, the poller's cursor

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:00:00.000000

``processed_email`` is recreated rather than altered: nothing wrote to it before this
revision (there was no IMAP poller), and SQLite cannot drop 0001's unnamed unique constraint
on ``message_id`` in place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("processed_email")
    op.create_table(
        "processed_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("sender", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("processed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mailbox", "message_id", name="uq_processed_email_mailbox_message"),
    )
    with op.batch_alter_table("processed_email", schema=None) as batch_op:
        batch_op.create_index("ix_processed_email_sender_at", ["sender", "processed_at"],
                              unique=False)

    op.create_table(
        "mailbox_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mailbox", "uidvalidity"),
    )


def downgrade() -> None:
    op.drop_table("mailbox_cursor")
    with op.batch_alter_table("processed_email", schema=None) as batch_op:
        batch_op.drop_index("ix_processed_email_sender_at")
    op.drop_table("processed_email")
    op.create_table(
        "processed_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("processed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
