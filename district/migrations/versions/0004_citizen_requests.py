"""Queued citizen requests registered at ingest and submitted to the department once (table citizen_requests).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citizen_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kiosk", sa.String(64), nullable=False, index=True),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("module_id", sa.String(64), nullable=False),
        sa.Column("tracking_number", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("submitted_at", sa.Float, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("citizen_requests")
