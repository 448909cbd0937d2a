"""Keeping the terminal's SQLite file small and its WAL short: checkpoint, and VACUUM when it pays.

Run by the daily maintenance (kiosk.terminal.maintenance) between sessions. Purged and redacted rows leave free
pages behind (zeroed: secure_delete is on); the file only shrinks by VACUUM, which rewrites the whole database
and holds the write lock meanwhile, so it runs only when a worthwhile share of the pages is free.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine


@dataclass(frozen=True)
class Upkeep:
    checkpoint_complete: bool
    wal_frames: int
    pages_before: int
    free_pages_before: int
    vacuumed: bool
    pages_after: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _pragma(cursor: Any, name: str) -> int:
    cursor.execute(f"PRAGMA {name}")
    return int(cursor.fetchone()[0])


def upkeep(engine: Engine, vacuum_freelist_ratio: float) -> Upkeep:
    """Checkpoint the WAL (TRUNCATE), then VACUUM when free pages are at least `vacuum_freelist_ratio` of the
    file, and checkpoint again (VACUUM writes the new file through the WAL)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()  # autocommit: the durable engine's connections run without implicit transactions
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, frames, _done = cursor.fetchone()
        pages = _pragma(cursor, "page_count")
        free = _pragma(cursor, "freelist_count")
        vacuumed = pages > 0 and free / pages >= vacuum_freelist_ratio
        if vacuumed:
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        after = _pragma(cursor, "page_count")
        cursor.close()
    finally:
        raw.close()
    return Upkeep(busy == 0, int(frames), pages, free, vacuumed, after)
