"""The terminal's database: its Alembic migrations, applied with the contract's durable-SQLite helper."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from contract import durable_sqlite
from kiosk.errors import DatabaseCorrupt

MIGRATIONS = Path(__file__).with_name("migrations")


def migrate(engine: Engine) -> str:
    """Upgrade the terminal's schema to head; returns the revision now in force."""
    return durable_sqlite.migrate(engine, MIGRATIONS)


def quick_check(engine: Engine) -> tuple[bool, str]:
    """SQLite's `PRAGMA quick_check` (every page and b-tree checked, O(N), without integrity_check's index
    cross-checks that grow as N log N): start-up must stay quick on a database that is months old.
    Returns (ok, its first complaint)."""
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("PRAGMA quick_check(20)"))]
    if rows == ["ok"]:
        return True, ""
    return False, "PRAGMA quick_check: " + "; ".join(str(r) for r in rows)[:300]


def check_integrity(engine: Engine, where: Path | str = "") -> None:
    """Raise DatabaseCorrupt unless SQLite's quick check passes on `engine`'s database.

    A file that is not a database at all fails already when the connection sets its pragmas.
    """
    try:
        ok, problem = quick_check(engine)
    except DatabaseError as exc:
        ok, problem = False, str(exc.orig or exc).splitlines()[0]
    if not ok:
        raise DatabaseCorrupt(f"{where or 'database'}: {problem}")
