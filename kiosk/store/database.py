"""The terminal's database: its Alembic migrations, applied with the contract's durable-SQLite helper."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from contract import durable_sqlite

MIGRATIONS = Path(__file__).with_name("migrations")


def migrate(engine: Engine) -> str:
    """Upgrade the terminal's schema to head; returns the revision now in force."""
    return durable_sqlite.migrate(engine, MIGRATIONS)
