"""Salvaging a damaged terminal database: every row still readable goes into a fresh file, nothing is invented.

A failing card or a write torn by power loss leaves a file whose quick check fails; the shell then stays out of
service (kiosk.terminal.database_watch) until a sound file is back behind the same path. A backup is rarely at
hand at 3 a.m., and the rows that matter most, the transactions not yet delivered to the district, exist nowhere
else. So this reads the damaged file table by table in rowid order and, where a read hits a bad page, seeks past
it by rowid (a b-tree descent to a later key does not touch the bad leaf) and goes on: only the rows on the
damaged pages are lost.

What is written is the terminal's own schema at head, so the shell and the daemon open it like any other file:
- A transaction whose row was lost but whose pending outbox entry survived is rebuilt from that entry: the
  entry carries the whole transaction (contract.transactions.TransactionItem), as the district will receive it.
- A transaction whose outbox entry was lost with a damaged page is queued again from its row: the district
  answers `duplicate` for an id it already holds (exactly-once, district.ingest), so sending it again is safe and
  not sending it is not. A transaction whose entry was purged after delivery (kiosk.store.outbox) stays as it is.
- The transaction sequence continues past every sequence seen, plus SEQUENCE_GAP when anything was lost: a lost
  page may have held the newest transactions, already delivered, and the district refuses a sequence it holds
  for another id. A gap in the numbering is harmless; a reused number would be refused.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, insert, select

from contract.durable_sqlite import open_engine, sqlite_url
from contract.transactions import TransactionItem
from kiosk.store.database import migrate
from kiosk.store.models import Base, OutboxRow
from kiosk.store.redaction import is_redacted
from kiosk.store.transactions import SEQUENCE, tracking_number

SEQUENCE_GAP = 100_000  # about a year of a busy terminal's transactions: more than a lost page can have held
_TABLES = ("counters", "transactions", "outbox", "dead_letters", "catalog_versions", "audit_events", "sync_state",
           "diagnostics_runs")  # parents before children: outbox rows need their transaction rows
_FIRST_ROWID = -(2 ** 63)


class SalvageFailed(Exception):
    """Nothing could be salvaged: the file is not a database, or its schema page is unreadable."""


@dataclass
class TableSalvage:
    """What one table gave: rows kept, damaged stretches skipped (as rowid ranges, ends exclusive)."""

    name: str
    rows: int = 0
    skipped: list[tuple[int, int | None]] = field(default_factory=list)  # (last good rowid, first good after)
    unreadable: bool = False  # the table's root could not be read at all


@dataclass
class SalvageReport:
    tables: list[TableSalvage]
    rebuilt_transactions: int  # transaction rows rebuilt from surviving outbox entries
    requeued_transactions: int  # outbox entries rebuilt from surviving transaction rows
    dropped_outbox: int  # delivered (redacted) entries whose transaction row was lost: nothing left to send
    pending: int  # outbox entries waiting for the district in the salvaged file
    next_seq: int  # the sequence the next transaction will get

    @property
    def lost_anything(self) -> bool:
        return any(t.skipped or t.unreadable for t in self.tables)

    def as_dict(self) -> dict[str, Any]:
        return {"tables": {t.name: {"rows": t.rows, "damaged_stretches": len(t.skipped),
                                    "unreadable": t.unreadable} for t in self.tables},
                "lost_anything": self.lost_anything, "rebuilt_transactions": self.rebuilt_transactions,
                "requeued_transactions": self.requeued_transactions, "dropped_outbox": self.dropped_outbox,
                "pending": self.pending, "next_seq": self.next_seq}


def salvage(damaged: Path, into: Path) -> SalvageReport:
    """Copy every readable row of `damaged` into a new database at `into` (which must not exist).

    `damaged` is never written: its file and WAL are copied to a scratch folder beside `into` and read there, so
    the committed transactions still only in the WAL are read too.
    """
    if into.exists():
        raise FileExistsError(f"{into} exists")
    with tempfile.TemporaryDirectory(prefix=".salvage-", dir=into.parent) as scratch:
        copy = Path(scratch) / "damaged.db"
        shutil.copyfile(damaged, copy)
        for suffix in ("-wal", "-shm"):
            side = damaged.with_name(damaged.name + suffix)
            if side.exists():
                shutil.copyfile(side, copy.with_name(copy.name + suffix))
        source = _open_damaged(copy)
        try:
            tables = {name: _read_table(source, name) for name in _TABLES}
        finally:
            source.close()
    engine = open_engine(sqlite_url(into))
    try:
        migrate(engine)
        report = _write(engine, tables)
        engine.dispose()
        _self_contained(into)
        return report
    except BaseException:
        engine.dispose()
        for path in (into, into.with_name(into.name + "-wal"), into.with_name(into.name + "-shm")):
            path.unlink(missing_ok=True)
        raise


def _self_contained(path: Path) -> None:
    """Everything in the main file, no WAL beside it: the caller renames only the main file into place.

    The next connection of the shell or the daemon puts the file back into WAL mode (contract.durable_sqlite).
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    if path.with_name(path.name + "-wal").exists():
        raise OSError(f"{path}: its WAL could not be folded into the file")


def _open_damaged(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        # A header counting more pages than the file holds (a file cut short) is refused as corrupt unless the
        # schema is "writable"; then SQLite takes the file's own size. Only the scratch copy is opened this way.
        conn.execute("PRAGMA writable_schema=ON")
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise SalvageFailed(f"{path.name}: not readable as a database ({exc}); restore a backup") from None
    if "transactions" not in names:
        conn.close()
        raise SalvageFailed("the file has no transactions table: not a kiosk database, or its schema is lost")
    return conn


_Rows = tuple[TableSalvage, list[dict[str, Any]]]


def _read_table(conn: sqlite3.Connection, table: str) -> _Rows:
    result = TableSalvage(table)
    rows: list[dict[str, Any]] = []
    try:
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    except sqlite3.DatabaseError:
        columns = []
    if not columns:  # a table of a later revision, or lost with its schema entry
        result.unreadable = True
        return result, rows
    query = f'SELECT rowid, {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)} FROM "{table}" ' \
            "WHERE rowid >= ? ORDER BY rowid LIMIT 1"
    # One row per query: Python's sqlite3 cursor reads a row ahead of the one it hands out, so in a plain scan
    # the last sound row before a bad page would be lost with the page.
    at = _FIRST_ROWID
    while True:
        row = _row_from(conn, query, at)
        if row is None:
            break
        if row is False:
            resume = _first_readable_from(conn, query, at)
            result.skipped.append((at, resume))
            if resume is None:
                result.unreadable = not rows
                break
            at = resume
            continue
        rows.append(dict(zip(columns, row[1:], strict=True)))
        at = row[0] + 1
    result.rows = len(rows)
    return result, rows


def _row_from(conn: sqlite3.Connection, query: str, at: int) -> tuple[Any, ...] | None | bool:
    """The first row whose rowid is `at` or more; None past the table's end, False when reading it fails."""
    try:
        row = conn.execute(query, (at,)).fetchone()
    except sqlite3.DatabaseError:
        return False
    return None if row is None else tuple(row)


def _first_readable_from(conn: sqlite3.Connection, query: str, start: int) -> int | None:
    """The first rowid past `start` whose whole row reads, or None when no later row can be read.

    Rowids on one bad leaf page are consecutive, so reads fail from `start` up to the page's end and work beyond:
    steps doubling from 1 find a read that works, a bisection then finds the first one, losing no good row
    between. Each probe reads the whole row, not only its key: a page of garbage can parse as keys whose
    records then fail.
    """
    last = 2 ** 63 - 1
    failed, step = start, 1
    while True:
        probe = failed + step
        if probe > last:
            return None
        found = _row_from(conn, query, probe)
        if found is None:
            return None
        if found is not False:
            break
        failed, step = probe, step * 2
    works = probe
    while works - failed > 1:  # the read from `failed` fails, the one from `works` does not
        middle = (failed + works) // 2
        if _row_from(conn, query, middle) is False:
            failed = middle
        else:
            works = middle
    landed = _row_from(conn, query, works)
    return None if landed is None or landed is False else int(landed[0])


def _write(engine: Engine, tables: dict[str, _Rows]) -> SalvageReport:
    transactions = {r["id"]: r for r in tables["transactions"][1]}
    outbox = {r["transaction_id"]: r for r in tables["outbox"][1]}
    rebuilt = requeued = dropped = 0
    for tx_id, entry in list(outbox.items()):
        if tx_id in transactions:
            continue
        payload = entry.get("payload")
        item = _item(payload)
        if item is None:  # delivered and redacted, or unreadable: the district holds it or it is gone
            del outbox[tx_id]
            dropped += 1
            continue
        transactions[tx_id] = {"id": item.id, "seq": item.seq, "kiosk_id": item.kiosk_id, "item_id": item.item_id,
                               "module_id": item.module_id, "status": item.status, "holder": item.holder,
                               "summary": item.summary, "device_time": item.device_time, "rating": item.rating}
        rebuilt += 1
    lost_seqs = _lost_outbox_seqs(tables["outbox"])
    for tx_id, row in transactions.items():
        if tx_id in outbox or not any(lo < row["seq"] < hi for lo, hi in lost_seqs):
            continue  # a transaction without its entry outside the damage was delivered, and its entry purged
        summary = _json(row.get("summary"))
        item = TransactionItem(id=row["id"], seq=row["seq"], kiosk_id=row["kiosk_id"], item_id=row["item_id"],
                               module_id=row["module_id"], status=row["status"], holder=row["holder"],
                               summary=summary if isinstance(summary, dict) else {},
                               device_time=row["device_time"], rating=row.get("rating"),
                               tracking_number=tracking_number(row["kiosk_id"], row["seq"]))
        outbox[tx_id] = {"transaction_id": tx_id, "seq": item.seq, "kind": "transaction",
                         "payload": item.model_dump(mode="json", exclude_none=True), "state": "pending",
                         "attempts": 0, "created_mono": 0.0, "created_at": row["device_time"]}
        requeued += 1
    seen = [r["seq"] for r in transactions.values()] + [r["seq"] for r in tables["dead_letters"][1]]
    counter = next((r["value"] for r in tables["counters"][1] if r.get("name") == SEQUENCE), 0)
    last = max([counter, *seen])
    report_tables = [tables[name][0] for name in _TABLES]
    lost = any(t.skipped or t.unreadable for t in report_tables)
    next_value = last + (SEQUENCE_GAP if lost else 0)
    counters = [r for r in tables["counters"][1] if r.get("name") != SEQUENCE]
    counters.append({"name": SEQUENCE, "value": next_value})
    with engine.begin() as conn:
        for name in _TABLES:
            model = Base.metadata.tables[name]
            if name == "counters":
                values = counters
            elif name == "transactions":  # the outbox rows' parents must all be there: no row may be refused
                values = [{**r, "summary": s if isinstance(s := _json(r.get("summary")), dict) else {}}
                          for r in sorted(transactions.values(), key=lambda r: r["seq"])]
            elif name == "outbox":
                values = sorted(outbox.values(), key=lambda r: r["seq"])
            else:
                values = tables[name][1]
            known = set(model.columns.keys())
            nullable = {c.name for c in model.columns if c.nullable}
            cleaned = [{**dict.fromkeys(nullable & known - r.keys()),  # one statement needs every key in every row
                        **{k: _json(v) if isinstance(model.columns[k].type, JSON) else v
                           for k, v in r.items() if k in known}} for r in values]
            if name == "outbox":  # an autoincrement id from the damaged file may collide with a rebuilt one
                for r in cleaned:
                    r.pop("id", None)
            for chunk in _chunks(cleaned, 500):
                conn.execute(insert(model).prefix_with("OR IGNORE"), chunk)
        pending = len(conn.execute(select(OutboxRow.id).where(OutboxRow.state == "pending")).all())
    return SalvageReport(report_tables, rebuilt, requeued, dropped, pending, next_value + 1)


def _lost_outbox_seqs(outbox: _Rows) -> list[tuple[float, float]]:
    """The sequence windows (exclusive) whose outbox entries sat on damaged pages.

    Entries get their id (the rowid) in sequence order, so the entries lost between two readable ones have
    sequences between theirs. Outside these windows a missing entry is one purged after delivery, which must not
    be sent again; inside them, resending is safe (the district drops a duplicate) and not resending may lose one.
    """
    result, rows = outbox
    windows = []
    for start, resume in result.skipped:
        before = [r["seq"] for r in rows if r["id"] < start]
        after = [r["seq"] for r in rows if resume is not None and r["id"] >= resume]
        windows.append((max(before, default=float("-inf")), min(after, default=float("inf"))))
    if result.unreadable and not result.skipped:
        windows.append((float("-inf"), float("inf")))
    return windows


def _item(payload: Any) -> TransactionItem | None:
    payload = _json(payload)
    if not isinstance(payload, dict) or is_redacted(payload):
        return None
    try:
        item = TransactionItem.model_validate(payload)
        uuid.UUID(item.id)
    except ValueError:
        return None
    return item


def _json(value: Any) -> Any:
    """A JSON column as read by the sqlite3 module (text) as the value SQLAlchemy's JSON type expects."""
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]
