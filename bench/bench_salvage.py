"""What `kiosk store salvage` costs on a kiosk database of a few months (kiosk.store.salvage): the wall time a
technician waits and the memory it takes, with one leaf page of the transactions table and one of the outbox
overwritten with random bytes. Run in a child process so that its peak RSS is its own."""

from __future__ import annotations

import multiprocessing
import random
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.kiosk_database import build

ROWS = 60_000  # ~37 MiB of transactions: months of a busy service centre (as bench_database_watch)
PENDING = 2_000  # a long outage's backlog still in the outbox
PAGE = 4096


def _database(path: Path) -> None:
    build(path, ROWS, PENDING)
    with sqlite3.connect(path) as c:
        leaves = {name: [r[0] for r in c.execute("select pageno from dbstat where name = ? and pagetype = 'leaf'"
                                                 " order by pageno", (name,))] for name in ("transactions", "outbox")}
    with open(path, "r+b") as f:
        for pages in leaves.values():
            f.seek((pages[len(pages) // 2] - 1) * PAGE)
            f.write(random.Random(len(pages)).randbytes(PAGE))


def _measure(folder: str, answer: multiprocessing.Queue) -> None:
    from kiosk.store.salvage import salvage

    started = time.perf_counter()
    report = salvage(Path(folder) / "kiosk.db", Path(folder) / "salvaged.db")
    seconds = time.perf_counter() - started
    answer.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, report.as_dict()))


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-salvage-") as tmp:
        path = Path(tmp) / "kiosk.db"
        _database(path)
        size_mib = path.stat().st_size / (1024 * 1024)
        answer: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
        child = multiprocessing.get_context("spawn").Process(target=_measure, args=(tmp, answer))
        child.start()
        seconds, peak_mib, report = answer.get(timeout=600)
        child.join()
    kept = report["tables"]["transactions"]["rows"] + report["rebuilt_transactions"]
    return [
        {"name": f"store salvage: {size_mib:.0f} MiB kiosk db, 2 bad pages (wall)", "value": round(seconds, 2),
         "unit": "s", "target": 60.0, "better": "lower"},
        {"name": "store salvage: peak RSS of the process", "value": round(peak_mib), "unit": "MiB", "target": 500,
         "better": "lower"},
        {"name": "store salvage: transactions kept of 60,000 (rest on the bad page)", "value": kept, "unit": "rows",
         "target": None, "better": "higher"},
    ]
