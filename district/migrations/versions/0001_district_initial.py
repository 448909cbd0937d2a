"""District schema: kiosks, request nonces, received transactions, heartbeats, help requests, TUF repository.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=True),
        sa.Column("public_key", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("enrolled_at", sa.Float, nullable=True),
        sa.Column("revoked_at", sa.Float, nullable=True),
        sa.Column("duplicates_refused", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "request_nonces",
        sa.Column("kiosk", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("seen_at", sa.Float, nullable=False, index=True),
    )
    op.create_table(
        "received_transactions",
        sa.Column("rx", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("kiosk", sa.String(64), nullable=False, index=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("module_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("device_time", sa.String(40), nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("clock_skew_s", sa.Float, nullable=False),
        sa.UniqueConstraint("kiosk", "seq", name="uq_received_kiosk_seq"),
    )
    op.create_table(
        "heartbeats",
        sa.Column("kiosk", sa.String(64), primary_key=True),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("clock_skew_s", sa.Float, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
    )
    op.create_table(
        "help_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kiosk", sa.String(64), nullable=False, index=True),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
    )
    op.create_table(
        "tuf_metadata",
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("published_at", sa.Float, nullable=False),
    )
    op.create_table(
        "tuf_targets",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("published_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("tuf_targets", "tuf_metadata", "help_requests", "heartbeats", "received_transactions",
                  "request_nonces", "kiosks"):
        op.drop_table(table)
