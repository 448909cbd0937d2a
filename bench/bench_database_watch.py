"""What the running shell's database watch costs (kiosk.terminal.database_watch): SQLite's quick check of a kiosk
database of a few months' size on a connection of its own, and the share of one core it takes at the default
interval (service.database_check_s). The database is built with the kiosk's schema and realistic rows."""

from __future__ import annotations

import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from contract.durable_sqlite import open_engine, sqlite_url
from kiosk.config import ServiceConfig
from kiosk.store.database import migrate
from kiosk.terminal.database_watch import look_at

ROWS = 60_000  # ~37 MiB of transactions: months of a busy service centre
LOOKS = 7


def _database(path: Path, rows: int) -> None:
    engine = open_engine(sqlite_url(path))
    migrate(engine)
    engine.dispose()
    summary = json.dumps({"months": 36, "pad": "x" * 300})
    with sqlite3.connect(path) as c:
        c.executemany(
            "insert into transactions (id, seq, kiosk_id, item_id, module_id, status, holder, summary, device_time)"
            " values (?, ?, 'sc-bench-01', 'si-contribution-record', 'social-insurance-record', 'completed', ?,"
            " ?, '2026-11-30T00:00:00+08:00')",
            ((f"{n:032x}", n, f"{n:064x}", summary) for n in range(1, rows + 1)))
        c.commit()
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-dbwatch-") as tmp:
        path = Path(tmp) / "kiosk.db"
        _database(path, ROWS)
        size_mib = path.stat().st_size / (1024 * 1024)
        look_at(path)  # the first look pays for reading the file into the page cache
        times = []
        for _ in range(LOOKS):
            started = time.perf_counter()
            assert look_at(path) is None
            times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    interval_ms = ServiceConfig().database_check_s * 1000
    return [
        {"name": f"database watch: quick check, {size_mib:.0f} MiB kiosk db (median of {LOOKS})",
         "value": round(median, 1), "unit": "ms", "target": None, "better": "lower"},
        {"name": "database watch: share of one core at the default interval", "value": round(100 * median /
         interval_ms, 3), "unit": "%", "target": 1.0, "better": "lower"},
    ]
