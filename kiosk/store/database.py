"""The terminal's database: its Alembic migrations, applied with the contract's durable-SQLite helper."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError

from contract import durable_sqlite
from kiosk.errors import DatabaseCorrupt

MIGRATIONS = Path(__file__).with_name("migrations")


def migrate(engine: Engine) -> str:
    """Upgrade the terminal's schema to head; returns the revision now in force."""
    return durable_sqlite.migrate(engine, MIGRATIONS)


def check_integrity(engine: Engine, where: Path | str = "") -> None:
    """Raise DatabaseCorrupt unless SQLite's integrity check passes on `engine`'s database.

    A file that is not a database at all fails already when the connection sets its pragmas.
    """
    try:
        ok = durable_sqlite.integrity_ok(engine)
        problem = "PRAGMA integrity_check did not answer 'ok'"
    except DatabaseError as exc:
        ok, problem = False, str(exc.orig or exc).splitlines()[0]
    if not ok:
        raise DatabaseCorrupt(f"{where or 'database'}: {problem}")
