"""Salvaging a damaged terminal database, damaged as a failing card damages it: one page overwritten with random
bytes, a file cut short, a lost header. Which pages belong to which table comes from SQLite's own `dbstat` table,
and which rows sat on a damaged page from the page's raw bytes (a row's id is stored there as text), not from the
salvage's reading of the file."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from contract.durable_sqlite import integrity_ok, open_engine, sqlite_url
from kiosk.store.database import migrate
from kiosk.store.outbox import Outbox, Settlement
from kiosk.store.salvage import SEQUENCE_GAP, SalvageFailed, salvage
from kiosk.store.transactions import TransactionStore
from kiosk.terminal.database_watch import look_at

REPO = Path(__file__).resolve().parents[2]
KIOSK = "sc-salvage-01"
PAGE = 4096
COUNT = 300
DELIVERED = 100  # the first hundred reached the district (their outbox payloads are redacted)


def _build(db: Path, purge: bool = False) -> dict[str, dict]:
    """COUNT transactions through the real store, the first DELIVERED settled (and with `purge`, their outbox
    entries purged as the nightly maintenance does); returns each outbox payload by id."""
    db.parent.mkdir(parents=True, exist_ok=True)
    engine = open_engine(sqlite_url(db))
    migrate(engine)
    store = TransactionStore(engine, KIOSK)
    rng = random.Random(20261130)
    for n in range(COUNT):
        store.record(item_id="si-contribution-record", module_id="si_record", status="completed",
                     holder=f"{rng.getrandbits(256):064x}",
                     summary={"months": rng.randint(1, 360), "pages": rng.randint(1, 4), "n": n})
    outbox = Outbox(engine)
    first = outbox.pending(DELIVERED)
    outbox.settle([Settlement(p.outbox_id, True) for p in first], server_time=1.0, clock_skew_s=0.0)
    with engine.connect() as c:
        payloads = {r[0]: json.loads(r[1]) for r in c.execute(text("select transaction_id, payload from outbox"))}
    if purge:
        assert outbox.purge_delivered(dt.timedelta(minutes=-1)) == DELIVERED
    engine.dispose()  # the last connection folds the WAL into the file
    assert not db.with_name("kiosk.db-wal").exists()
    return payloads


def _leaf_pages(db: Path, table: str) -> list[int]:
    with sqlite3.connect(db) as c:
        return [r[0] for r in c.execute("select pageno from dbstat where name = ? and pagetype = 'leaf' "
                                        "order by pageno", (table,))]


def _ids_on_page(db: Path, pageno: int, ids) -> set[str]:
    raw = db.read_bytes()[(pageno - 1) * PAGE:pageno * PAGE]
    return {i for i in ids if i.encode() in raw}


def _overwrite_page(db: Path, pageno: int) -> None:
    with open(db, "r+b") as f:
        f.seek((pageno - 1) * PAGE)
        f.write(random.Random(pageno).randbytes(PAGE))


def _rows(db: Path, sql: str) -> list[tuple]:
    engine = open_engine(sqlite_url(db))
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(text(sql))]
    finally:
        engine.dispose()


def _pending_page(db: Path, table: str, pending: set[str]) -> tuple[int, set[str]]:
    """A leaf page of `table` in the middle, holding only rows still to be sent."""
    for pageno in _leaf_pages(db, table)[len(_leaf_pages(db, table)) // 2:]:
        on_page = _ids_on_page(db, pageno, pending)
        if on_page:
            return pageno, on_page
    raise AssertionError(f"no leaf page of {table} holds pending rows")


def test_a_lost_transactions_page_is_rebuilt_from_the_outbox_entries(tmp_path):
    db = tmp_path / "kiosk.db"
    payloads = _build(db)
    pending = {i for i, p in payloads.items() if not p.get("redacted_at")}
    assert len(pending) == COUNT - DELIVERED
    pageno, lost = _pending_page(db, "transactions", pending)
    _overwrite_page(db, pageno)
    assert look_at(db) is not None, "the terminal's own check finds the damage"
    original = db.read_bytes()

    report = salvage(db, tmp_path / "salvaged.db")

    assert db.read_bytes() == original, "the damaged file is read, never written"
    out = tmp_path / "salvaged.db"
    assert not out.with_name("salvaged.db-wal").exists(), "one self-contained file"
    assert integrity_ok(open_engine(sqlite_url(out)))
    tables = {t.name: t for t in report.tables}
    assert tables["transactions"].skipped and tables["transactions"].rows == COUNT - len(lost)
    assert not tables["outbox"].skipped and tables["outbox"].rows == COUNT
    assert report.rebuilt_transactions == len(lost) and report.requeued_transactions == 0
    stored = {r[0]: (r[1], json.loads(r[2])) for r in _rows(out, "select id, seq, summary from transactions")}
    assert set(stored) == set(payloads), "every transaction: the lost rows rebuilt from their pending entries"
    for tx_id in lost:
        assert stored[tx_id] == (payloads[tx_id]["seq"], payloads[tx_id]["summary"])
    sent = {r[0]: json.loads(r[1]) for r in _rows(out, "select transaction_id, payload from outbox "
                                                       "where state = 'pending'")}
    assert sent == {i: payloads[i] for i in pending}, "what is still to be sent is sent exactly as it was"
    assert report.pending == len(pending)

    engine = open_engine(sqlite_url(out))
    nxt = TransactionStore(engine, KIOSK).record(item_id="x", module_id="m", status="completed", holder="h",
                                                 summary={})
    engine.dispose()
    assert nxt.seq == COUNT + SEQUENCE_GAP + 1 == report.next_seq, "past every number a lost page may have used"


def test_a_lost_outbox_page_queues_its_transactions_again_as_they_were(tmp_path):
    """...and only those: the entries purged after delivery stay purged."""
    db = tmp_path / "kiosk.db"
    payloads = _build(db, purge=True)
    pending = {i for i, p in payloads.items() if not p.get("redacted_at")}
    pageno, lost = _pending_page(db, "outbox", pending)
    _overwrite_page(db, pageno)

    report = salvage(db, tmp_path / "salvaged.db")

    out = tmp_path / "salvaged.db"
    tables = {t.name: t for t in report.tables}
    assert tables["outbox"].skipped and not tables["transactions"].skipped
    assert report.requeued_transactions == len(lost) and report.rebuilt_transactions == 0
    sent = {r[0]: json.loads(r[1]) for r in _rows(out, "select transaction_id, payload from outbox "
                                                       "where state = 'pending'")}
    assert set(sent) == pending, "the lost entries are back, the purged ones are not"
    assert len(_rows(out, "select id from transactions")) == COUNT
    for tx_id in lost:
        assert sent[tx_id] == payloads[tx_id], "rebuilt from the transaction row, byte for byte the same item"


def test_a_file_cut_short_gives_what_its_first_part_holds(tmp_path):
    db = tmp_path / "kiosk.db"
    payloads = _build(db)
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.truncate(size // 2 // PAGE * PAGE)

    report = salvage(db, tmp_path / "salvaged.db")

    out = tmp_path / "salvaged.db"
    assert integrity_ok(open_engine(sqlite_url(out)))
    kept = {r[0] for r in _rows(out, "select id from transactions")}
    assert kept and kept <= set(payloads)
    assert report.lost_anything and report.next_seq == COUNT + SEQUENCE_GAP + 1


def test_committed_rows_only_in_the_wal_are_salvaged_and_the_originals_stay_untouched(tmp_path):
    live = tmp_path / "live" / "kiosk.db"
    live.parent.mkdir()
    engine = open_engine(sqlite_url(live))
    migrate(engine)
    store = TransactionStore(engine, KIOSK)
    ids = [store.record(item_id="i", module_id="m", status="completed", holder="h", summary={"n": n}).id
           for n in range(50)]
    found = tmp_path / "found"  # the card as the technician finds it: the file and its WAL, the shell killed
    found.mkdir()
    for name in ("kiosk.db", "kiosk.db-wal"):
        shutil.copyfile(live.with_name(name), found / name)
    engine.dispose()
    before = {p.name: p.read_bytes() for p in found.iterdir()}
    main_only = tmp_path / "main-only.db"
    shutil.copyfile(found / "kiosk.db", main_only)
    with sqlite3.connect(main_only) as c:
        in_main = c.execute("select count(*) from sqlite_master where name = 'transactions'").fetchone()[0]
    assert not in_main, "the test needs rows that exist only in the WAL"

    report = salvage(found / "kiosk.db", tmp_path / "salvaged.db")

    assert {p.name: p.read_bytes() for p in found.iterdir()} == before
    assert {r[0] for r in _rows(tmp_path / "salvaged.db", "select id from transactions")} == set(ids)
    assert not report.lost_anything and report.next_seq == 51, "nothing lost, no gap"


def test_an_unreadable_header_is_refused_and_nothing_is_written(tmp_path):
    db = tmp_path / "kiosk.db"
    _build(db)
    _overwrite_page(db, 1)
    original = db.read_bytes()
    with pytest.raises(SalvageFailed, match="not readable as a database|no transactions table"):
        salvage(db, tmp_path / "salvaged.db")
    assert db.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kiosk.db"], "no half-made file, no scratch folder"


def _kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def test_the_technicians_commands_check_salvage_and_put_the_new_file_in_place(tmp_path):
    data = tmp_path / "kiosk"
    payloads = _build(data / "kiosk.db")
    sound = _kiosk("store", "check", "--data", str(data), "--json")
    assert sound.returncode == 0 and json.loads(sound.stdout)["sound"] is True
    refused = _kiosk("store", "salvage", "--data", str(data))
    assert refused.returncode == 1 and "nothing to salvage" in refused.stderr

    pending = {i for i, p in payloads.items() if not p.get("redacted_at")}
    pageno, _lost = _pending_page(data / "kiosk.db", "transactions", pending)
    _overwrite_page(data / "kiosk.db", pageno)
    damaged = (data / "kiosk.db").read_bytes()
    bad = _kiosk("store", "check", "--data", str(data))
    assert bad.returncode == 1 and "DAMAGED" in bad.stdout

    done = _kiosk("store", "salvage", "--data", str(data), "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["pending"] == len(pending) and report["lost_anything"]
    kept = Path(report["damaged_copy"])
    assert kept.parent == data / "damaged" and (kept / "kiosk.db").read_bytes() == damaged
    assert stat.S_IMODE(kept.stat().st_mode) == 0o700 and stat.S_IMODE((data / "damaged").stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "kiosk.db").stat().st_mode) == 0o600
    assert _kiosk("store", "check", "--data", str(data)).returncode == 0
    status = _kiosk("outbox", "status", "--data", str(data), "--json")
    assert json.loads(status.stdout)["pending"] == len(pending)
    events = [json.loads(line) for line in (data / "logs" / "kiosk.jsonl").read_text().splitlines()]
    salvaged = [e for e in events if e["event"] == "db-salvaged"]
    assert len(salvaged) == 1 and salvaged[0]["outcome"] == "replaced"
    assert not any(p.name.startswith((".salvage-", "kiosk.db.salvaged")) for p in data.iterdir())


def test_salvage_refuses_when_the_disk_cannot_hold_the_copy(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    data = tmp_path / "small"
    data.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(data)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        _build(tmp_path / "built" / "kiosk.db")  # its WAL grows to megabytes while it is written
        shutil.copyfile(tmp_path / "built" / "kiosk.db", data / "kiosk.db")
        filler = data / "filler"
        free = os.statvfs(data).f_bavail * os.statvfs(data).f_frsize
        filler.write_bytes(b"\0" * max(0, free - (data / "kiosk.db").stat().st_size))  # less than two copies left
        _overwrite_page(data / "kiosk.db", _leaf_pages(data / "kiosk.db", "transactions")[3])
        damaged = (data / "kiosk.db").read_bytes()
        done = _kiosk("store", "salvage", "--data", str(data))
        assert done.returncode == 2 and "salvage needs about" in done.stderr
        assert (data / "kiosk.db").read_bytes() == damaged
    finally:
        subprocess.run(["umount", "--lazy", str(data)])
