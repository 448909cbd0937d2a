"""What the running shell's database watch costs (kiosk.terminal.database_watch): SQLite's quick check of a kiosk
database of a few months' size on a connection of its own, and the share of one core it takes at the default
interval (service.database_check_s). The database is built with the kiosk's schema and realistic rows."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.kiosk_database import build
from kiosk.config import ServiceConfig
from kiosk.terminal.database_watch import look_at

ROWS = 60_000  # ~37 MiB of transactions: months of a busy service centre
LOOKS = 7


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-dbwatch-") as tmp:
        path = Path(tmp) / "kiosk.db"
        build(path, ROWS)
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
