"""Diagnostics runs: one row per health check (device, level, outcome, text, duration, software version), kept
90 days and sent with the heartbeat.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "diagnostics_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("device", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("health", sa.String(8), nullable=False),
        sa.Column("status_id", sa.String(48), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("ms", sa.Float, nullable=False),
        sa.Column("software_version", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_diagnostics_runs_device", "diagnostics_runs", ["device"])
    op.create_index("ix_diagnostics_runs_recorded_at", "diagnostics_runs", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_diagnostics_runs_recorded_at", "diagnostics_runs")
    op.drop_index("ix_diagnostics_runs_device", "diagnostics_runs")
    op.drop_table("diagnostics_runs")
