"""Opening the district database (SQLite by default, PostgreSQL by URL) and migrating it with Alembic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine

from contract import durable_sqlite

MIGRATIONS = Path(__file__).with_name("migrations")


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver the project ships."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def open_engine(url: str) -> Engine:
    """An engine for `url`. SQLite: durable and with writers queued (contract.durable_sqlite); PostgreSQL: pooled."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        return durable_sqlite.make_sqlite_durable(engine, foreign_keys=False)
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def reader(engine: Engine) -> Engine:
    """`engine` for transactions that only read. On SQLite they begin DEFERRED on a WAL snapshot instead of taking
    the write lock (contract.durable_sqlite.READ_ONLY): a console page does not queue behind every heartbeat's
    commit. Elsewhere the option means nothing."""
    return engine.execution_options(**{durable_sqlite.READ_ONLY: True})


def migrate(engine: Engine) -> str:
    """Upgrade the district schema to head (safe when several server processes start at once on PostgreSQL)."""
    return durable_sqlite.migrate(engine, MIGRATIONS)
