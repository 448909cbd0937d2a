"""Transaction batch ingest: idempotent by transaction id, one result per item, never a partial batch.

Each item is validated on its own: an invalid item is `rejected` with its reason (the kiosk dead-letters it)
and never blocks the others. An id the district already holds is a `duplicate` (the kiosk marks it delivered);
the insert uses ON CONFLICT DO NOTHING, so two server processes receiving the same batch at once (a duplicated
request) still store each transaction once. The whole batch is one database transaction: either every
accepted item is stored or none is, and the answer is only sent after the commit.

City scale (issue 16): on PostgreSQL the batch is stored and classified by ONE statement, whatever its size. The
items travel as one JSON array parameter (the server's C parser reads it), an INSERT ... ON CONFLICT DO NOTHING
RETURNING sits in a CTE, and the statement's final SELECT reads, from the snapshot taken before the insert, which
ids and which (kiosk, seq) were held already. The query text never changes with the batch size, so the driver
caches its parsing and the server its plan (a 50-row multi-VALUES INSERT was re-parsed by the driver on every
batch: the profile's largest item; arrays of text cost the driver a regex per element). Only an item that lost a
race with a concurrent copy of its request needs a second query (one for all such items). SQLite (one writer at
a time, BEGIN IMMEDIATE) reads the same facts with two selects before its insert.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from contract.transactions import ItemResult, TransactionItem
from district.citizen_requests import register_queued
from district.models import KioskRow, ReceivedTransactionRow


def _check(kiosk: str, raw: dict[str, Any]) -> tuple[TransactionItem | None, str | None]:
    try:
        item = TransactionItem.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "item"
        return None, f"invalid {where}: {first['msg']}"
    try:
        uuid.UUID(item.id)
    except ValueError:
        return None, "invalid id: not a UUID"
    if item.kiosk_id != kiosk:
        return None, f"kiosk_id {item.kiosk_id!r} is not the authenticated kiosk"
    return item, None


@dataclass(frozen=True)
class _Stored:
    """What the database says about one candidate item: inserted now, or who held its id / its sequence before."""

    inserted: bool
    id_holder: tuple[str, int] | None  # (kiosk, seq) of the row already holding this id
    seq_holder: str | None  # id of the row already holding (kiosk, seq)


# The items travel as one JSON array (one parameter, parsed by the server in C); WITH ORDINALITY keeps the
# request order, so `rx` (arrival order) follows the batch.
_PG_STORE = text("""
WITH batch AS (
    SELECT e->>'id' AS id, CAST(e->>'seq' AS bigint) AS seq, e->>'item_id' AS item_id,
           e->>'module_id' AS module_id, e->>'status' AS status, e->'payload' AS payload,
           e->>'device_time' AS device_time, n
    FROM json_array_elements(CAST(:items AS json)) WITH ORDINALITY AS t(e, n)
), stored AS (
    INSERT INTO received_transactions (id, kiosk, seq, item_id, module_id, status, payload, device_time,
                                       received_at, clock_skew_s)
    SELECT id, :kiosk, seq, item_id, module_id, status, payload, device_time, :received_at, :skew
    FROM batch ORDER BY n
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT stored.id IS NOT NULL AS inserted, by_id.kiosk AS id_kiosk, by_id.seq AS id_seq, by_seq.id AS seq_id
FROM batch
LEFT JOIN stored ON stored.id = batch.id
LEFT JOIN received_transactions AS by_id ON by_id.id = batch.id
LEFT JOIN received_transactions AS by_seq ON by_seq.kiosk = :kiosk AND by_seq.seq = batch.seq
ORDER BY batch.n
""")


def _row(kiosk: str, item: TransactionItem, received_at: float, clock_skew_s: float) -> dict[str, Any]:
    return {"id": item.id, "kiosk": kiosk, "seq": item.seq, "item_id": item.item_id, "module_id": item.module_id,
            "status": item.status, "payload": item.model_dump(mode="json"), "device_time": item.device_time,
            "received_at": received_at, "clock_skew_s": clock_skew_s}


def _store_postgresql(s: Session, kiosk: str, items: list[TransactionItem], received_at: float,
                      clock_skew_s: float) -> list[_Stored]:
    rows = [{k: v for k, v in _row(kiosk, item, received_at, clock_skew_s).items()
             if k in ("id", "seq", "item_id", "module_id", "status", "payload", "device_time")} for item in items]
    params = {"kiosk": kiosk, "received_at": received_at, "skew": clock_skew_s,
              "items": json.dumps(rows, separators=(",", ":"), ensure_ascii=False)}
    found = s.execute(_PG_STORE, params).all()
    stored = [_Stored(bool(f.inserted), (f.id_kiosk, f.id_seq) if f.id_kiosk is not None else None, f.seq_id)
              for f in found]
    # Neither inserted nor held before this statement's snapshot: a concurrent request (a duplicated upload on
    # another process) committed the id or the sequence meanwhile. Read them now, once for all such items.
    raced = [n for n, f in enumerate(stored) if not f.inserted and f.id_holder is None and f.seq_holder is None]
    if raced:
        by_id = {r.id: (r.kiosk, r.seq) for r in s.execute(
            select(ReceivedTransactionRow.id, ReceivedTransactionRow.kiosk, ReceivedTransactionRow.seq)
            .where(ReceivedTransactionRow.id.in_([items[n].id for n in raced])))}
        by_seq = {r.seq: r.id for r in s.execute(
            select(ReceivedTransactionRow.seq, ReceivedTransactionRow.id)
            .where(ReceivedTransactionRow.kiosk == kiosk,
                   ReceivedTransactionRow.seq.in_([items[n].seq for n in raced])))}
        for n in raced:
            stored[n] = _Stored(False, by_id.get(items[n].id), by_seq.get(items[n].seq))
    return stored


def _store_generic(s: Session, kiosk: str, items: list[TransactionItem], received_at: float,
                   clock_skew_s: float) -> list[_Stored]:
    """SQLite: writers are serialised (BEGIN IMMEDIATE), so what the two selects read still holds at the insert."""
    by_id = {r.id: (r.kiosk, r.seq) for r in s.execute(
        select(ReceivedTransactionRow.id, ReceivedTransactionRow.kiosk, ReceivedTransactionRow.seq)
        .where(ReceivedTransactionRow.id.in_([item.id for item in items])))}
    by_seq = {r.seq: r.id for r in s.execute(
        select(ReceivedTransactionRow.seq, ReceivedTransactionRow.id)
        .where(ReceivedTransactionRow.kiosk == kiosk,
               ReceivedTransactionRow.seq.in_([item.seq for item in items])))}
    stmt = sqlite_insert(ReceivedTransactionRow).on_conflict_do_nothing().returning(ReceivedTransactionRow.id)
    inserted = set(s.scalars(stmt, [_row(kiosk, item, received_at, clock_skew_s) for item in items]).all())
    return [_Stored(item.id in inserted, by_id.get(item.id), by_seq.get(item.seq)) for item in items]


def _add_ratings(s: Session, items: list[TransactionItem]) -> set[str]:
    """Record the ratings re-sent transactions carry where the stored copy has none; the ids that got one."""
    rated = {item.id: item.rating for item in items if item.rating is not None}
    if not rated:
        return set()
    added: set[str] = set()
    for row in s.scalars(select(ReceivedTransactionRow).where(ReceivedTransactionRow.id.in_(list(rated)))):
        if not (row.payload or {}).get("rating"):
            row.payload = {**row.payload, "rating": rated[row.id]}
            added.add(row.id)
    return added


@dataclass
class CheckedBatch:
    """A batch's items checked on their own (no database needed): a result slot per item, rejected ones filled."""

    kiosk: str
    results: list[ItemResult]
    candidates: list[TransactionItem]  # the valid items, each id once
    slots: list[int]  # result index of each candidate
    copies: list[tuple[int, TransactionItem, int]]  # (result index, item, candidate index) of later copies


def check_batch(kiosk: str, items: list[dict[str, Any]]) -> CheckedBatch:
    results: list[ItemResult] = []
    first_copy: dict[str, int] = {}  # id -> index in `candidates` of its first copy in this batch
    checked = CheckedBatch(kiosk, results, [], [], [])
    for raw in items:
        item, reason = _check(kiosk, raw)
        raw_id = str(raw.get("id", ""))[:64] if isinstance(raw, dict) else ""
        raw_seq = raw.get("seq") if isinstance(raw, dict) and isinstance(raw.get("seq"), int) else None
        results.append(ItemResult(id=raw_id, seq=raw_seq, result="rejected", reason=reason))
        if item is None:
            continue
        if item.id in first_copy:
            checked.copies.append((len(results) - 1, item, first_copy[item.id]))
            continue
        first_copy[item.id] = len(checked.candidates)
        checked.candidates.append(item)
        checked.slots.append(len(results) - 1)
    return checked


def ingest_batch(engine: Engine, kiosk: str, items: list[dict[str, Any]], received_at: float,
                 clock_skew_s: float, before: Callable[[Session], None] | None = None) -> list[ItemResult]:
    """Store the batch's valid new transactions of `kiosk` atomically and return one result per item.

    `before(session)` runs first in the same transaction (the request's rate-limit token and nonce are taken
    there).
    """
    checked = check_batch(kiosk, items)
    with Session(engine) as s, s.begin():
        if before is not None:
            before(s)
        return store_batch(s, checked, received_at, clock_skew_s)


def store_batch(s: Session, checked: CheckedBatch, received_at: float, clock_skew_s: float) -> list[ItemResult]:
    """Store a checked batch in the caller's transaction `s` (which commits or rolls back all of it); the
    results, one per item in request order."""
    kiosk, results, candidates, slots = checked.kiosk, checked.results, checked.candidates, checked.slots
    store = _store_postgresql if s.get_bind().dialect.name == "postgresql" else _store_generic
    stored = store(s, kiosk, candidates, received_at, clock_skew_s) if candidates else []
    fresh = [item for item, f in zip(candidates, stored, strict=True) if f.inserted]
    # A queued request is registered with its transaction, in this database transaction (never lost between
    # two calls, never twice: a re-sent id is not inserted again).
    register_queued(s, kiosk, fresh, received_at)
    repeated = [item for item, f in zip(candidates, stored, strict=True) if not f.inserted
                and f.id_holder == (kiosk, item.seq)]
    rated = _add_ratings(s, repeated)  # a re-send that carries the citizen's late rating is no refusal
    duplicates = 0
    for n, (item, f) in enumerate(zip(candidates, stored, strict=True)):
        if f.inserted:
            outcome = ItemResult(id=item.id, seq=item.seq, result="accepted")
        elif f.id_holder == (kiosk, item.seq):
            outcome = ItemResult(id=item.id, seq=item.seq, result="duplicate")
            duplicates += item.id not in rated
        elif f.id_holder is not None:
            outcome = ItemResult(id=item.id, seq=item.seq, result="rejected",
                                 reason="id already used by another transaction")
        else:
            outcome = ItemResult(id=item.id, seq=item.seq, result="rejected",
                                 reason=f"sequence {item.seq} already used by another transaction")
        results[slots[n]] = outcome
    # A second copy of an id inside the batch follows its first copy: stored or held with the same sequence,
    # it is a duplicate; otherwise it is refused like the first.
    for at, item, n in checked.copies:
        first = results[slots[n]]
        if first.result in ("accepted", "duplicate") and item.seq == candidates[n].seq:
            results[at] = ItemResult(id=item.id, seq=item.seq, result="duplicate")
            duplicates += 1
        else:
            results[at] = ItemResult(id=item.id, seq=item.seq, result="rejected",
                                     reason="id already used by another transaction")
    if duplicates:
        s.execute(update(KioskRow).where(KioskRow.name == kiosk)
                  .values(duplicates_refused=KioskRow.duplicates_refused + duplicates))
    return results
