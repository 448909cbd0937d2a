"""The certificate register: every document the district signs, with its content, key id and status.

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
    op.create_table(
        "documents",
        sa.Column("serial", sa.String(64), primary_key=True),
        sa.Column("kiosk", sa.String(64), nullable=False, index=True),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(128), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("issued_on", sa.String(8), nullable=False),
        sa.Column("issued_at", sa.Float, nullable=False),
        sa.Column("content_hash", sa.String(43), nullable=False),
        sa.Column("holder_hash", sa.String(43), nullable=False),
        sa.Column("holder_name", sa.String(64), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(86), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revoked_at", sa.Float, nullable=True),
        sa.Column("revoke_reason", sa.String(500), nullable=True),
        sa.Column("holder_check_failures", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("documents")
