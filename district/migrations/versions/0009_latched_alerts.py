"""Latched alerts: kept until an operator acknowledges them, even after the kiosk's condition cleared (issue 12).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "latched_alerts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("kiosk", sa.String(64), nullable=False, index=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("raised_at", sa.Float, nullable=False),
        sa.Column("acknowledged_at", sa.Float, nullable=True, index=True),
        sa.Column("acknowledged_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("kiosk", "key", name="uq_latched_alerts_kiosk_key"),
    )


def downgrade() -> None:
    op.drop_table("latched_alerts")
