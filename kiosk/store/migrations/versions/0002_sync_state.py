"""Sync daemon state: server receive time and clock skew per delivered outbox row, and a small key/value table
(last success, last error, measured skew, catalog flags) that the shell and diagnostics read.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("server_received_at", sa.Float, nullable=True))
        batch.add_column(sa.Column("clock_skew_s", sa.Float, nullable=True))
    op.create_table(
        "sync_state",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("clock_skew_s")
        batch.drop_column("server_received_at")
