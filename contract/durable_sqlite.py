"""Opening SQLite databases durably and migrating them to their head revision.

Both the terminal's database and the district server's (when it runs on SQLite) use these; each side passes
its own Alembic migrations folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


# Execution option of a connection (or of `engine.execution_options(...)`) whose transactions only read: they
# begin DEFERRED and read a WAL snapshot without the write lock, instead of queueing behind every writer's fsync.
READ_ONLY = "durable_sqlite_read_only"


def make_sqlite_durable(engine: Engine, foreign_keys: bool = True) -> Engine:
    """WAL, synchronous=FULL, secure_delete and writers serialised with BEGIN IMMEDIATE on every connection.

    pysqlite's own transaction handling defers BEGIN and never takes the write lock up front; we disable it and
    emit `BEGIN IMMEDIATE` ourselves, so two writers (the shell and the sync daemon) queue instead of failing on
    a lock upgrade.
    """
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        if foreign_keys:
            cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA secure_delete=ON")  # freed cells are zeroed: deleted personal data is not recoverable
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

    return engine


def open_engine(url: str) -> Engine:
    """An engine for `url`; SQLite is made durable by `make_sqlite_durable`."""
    if not url.startswith("sqlite"):
        return create_engine(url)
    return make_sqlite_durable(create_engine(url, connect_args={"timeout": 30}))


def migrate(engine: Engine, migrations: Path) -> str:
    """Upgrade the schema to the newest Alembic revision in `migrations`; returns the revision now in force.

    On PostgreSQL several processes may start together: their migrations are serialised on an advisory lock.
    """
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.runtime.migration import MigrationContext

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(847001)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or ""


def integrity_ok(engine: Engine) -> bool:
    """PRAGMA integrity_check == 'ok' (SQLite only)."""
    with engine.connect() as conn:
        return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
