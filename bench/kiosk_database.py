"""A kiosk database of a few months for the benches: the terminal's schema (its migrations), `rows` completed
transactions with realistic sizes, and optionally the last `pending` of them still in the outbox."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from contract.durable_sqlite import open_engine, sqlite_url
from kiosk.store.database import migrate

DEVICE_TIME = "2026-11-30T00:00:00+08:00"
SUMMARY = {"months": 36, "pad": "x" * 300}


def transaction_id(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def build(path: Path, rows: int, pending: int = 0) -> None:
    engine = open_engine(sqlite_url(path))
    migrate(engine)
    engine.dispose()
    summary = json.dumps(SUMMARY)
    with sqlite3.connect(path) as c:
        c.executemany(
            "insert into transactions (id, seq, kiosk_id, item_id, module_id, status, holder, summary, device_time)"
            " values (?, ?, 'sc-bench-01', 'si-contribution-record', 'social-insurance-record', 'completed', ?,"
            " ?, ?)",
            ((transaction_id(n), n, f"{n:064x}", summary, DEVICE_TIME) for n in range(1, rows + 1)))
        c.executemany(  # the delivered entries were purged; the backlog is pending
            "insert into outbox (transaction_id, seq, kind, payload, state, attempts, created_mono, created_at)"
            " values (?, ?, 'transaction', ?, 'pending', 0, 0, ?)",
            ((transaction_id(n), n, json.dumps({
                "id": transaction_id(n), "seq": n, "kiosk_id": "sc-bench-01", "item_id": "si-contribution-record",
                "module_id": "social-insurance-record", "status": "completed", "holder": f"{n:064x}",
                "summary": SUMMARY, "device_time": DEVICE_TIME}), DEVICE_TIME) for n in range(rows - pending + 1,
                                                                                            rows + 1)))
        c.execute("insert into counters (name, value) values ('transaction_seq', ?)", (rows,))
        c.commit()
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
