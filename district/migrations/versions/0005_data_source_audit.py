"""The per-source audit trail of citizen-record fetches from departmental data sources.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_source_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False, index=True),
        sa.Column("kiosk", sa.String(64), nullable=False, index=True),
        sa.Column("source", sa.String(64), nullable=False, index=True),
        sa.Column("record_kind", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("data_source_audit")
