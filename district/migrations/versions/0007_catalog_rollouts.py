"""Catalog publishing in stages: kiosk groups, rollouts per catalog version, requests for the offline targets key.

Revision ID: 0007
Revises: 0006 (0005 before wt/console was merged in)
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_groups",
        sa.Column("group_name", sa.String(64), primary_key=True),
        sa.Column("kiosk", sa.String(64), primary_key=True, index=True),
        sa.Column("added_at", sa.Float, nullable=False),
    )
    op.create_table(
        "catalog_rollouts",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("group_name", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("content_of", sa.Integer, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("changed_at", sa.Float, nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
    )
    op.create_table(
        "catalog_signing_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("catalog_version", sa.Integer, nullable=False),
        sa.Column("group_name", sa.String(64), nullable=True),
        sa.Column("content_of", sa.Integer, nullable=True),
        sa.Column("catalog", sa.LargeBinary, nullable=False),
        sa.Column("targets", sa.LargeBinary, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("catalog_signing_requests")
    op.drop_table("catalog_rollouts")
    op.drop_table("kiosk_groups")
