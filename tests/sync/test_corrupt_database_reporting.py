"""A corrupt kiosk database reaches the district: the real `kiosk-sync` process, on a truncated or garbled SQLite
file, keeps heartbeating to a real district server on loopback with the condition and nothing synced; once a
technician puts a good copy back it syncs the backlog by itself, each transaction exactly once."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contract.eventlog import EventLog, NullEventLog
from district import latched_alerts
from district.cli import _kiosk_line
from district.models import ReceivedTransactionRow
from district.stats import kiosk_overview
from kiosk.store.service_journal import ServiceJournal
from kiosk.terminal.out_of_service import Condition
from sync.daemon import SyncDaemon
from sync.database_guard import DATABASE_CORRUPT, run_guarded

REPO = Path(__file__).resolve().parents[2]
KIOSK = "sc-corrupt-01"


def wait_for(predicate, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _received(engine) -> tuple[int, int]:
    with Session(engine) as s:
        return (s.scalar(select(func.count()).select_from(ReceivedTransactionRow)) or 0,
                s.scalar(select(func.count(func.distinct(ReceivedTransactionRow.id)))) or 0)


def _damage(path: Path, how: str) -> None:
    with open(path, "r+b") as f:
        if how == "truncated":  # a write cut short by power loss on a card that lies about flushing
            f.truncate(path.stat().st_size // 2 + 1000)
        else:  # garbage over the header: SQLite no longer takes it for a database at all
            f.write(b"this is not an sqlite file".ljust(100, b"\0"))


def _kiosk_with_backlog(kiosk_factory, district, tmp_path: Path, rows: int):
    """An enrolled kiosk whose database holds `rows` pending transactions, and a good copy of that database."""
    k = kiosk_factory(KIOSK, district.url)
    SyncDaemon(k.config, k.engine, NullEventLog()).ensure_enrolled()  # enrolled when the database was sound
    ids = k.record(rows, summary={"pad": "x" * 300})  # enough rows to span several pages
    k.engine.dispose()  # the last connection checkpoints the WAL into the file
    good = tmp_path / "backup.db"  # the technician's copy
    with sqlite3.connect(k.data / "kiosk.db") as src, sqlite3.connect(good) as dst:
        src.backup(dst)
    return k, ids, good


def test_the_condition_name_is_the_terminals():
    assert DATABASE_CORRUPT == Condition.DATABASE_CORRUPT.value


def test_a_truncated_database_is_heartbeated_and_the_backlog_synced_once_after_the_repair(
        district_sqlite, kiosk_factory, tmp_path: Path):
    district_log = tmp_path / "district.jsonl"
    district_sqlite.app.state.eventlog = EventLog(path=district_log, component="district")
    k, ids, good = _kiosk_with_backlog(kiosk_factory, district_sqlite, tmp_path, 30)
    db = k.data / "kiosk.db"
    _damage(db, "truncated")
    damaged = db.read_bytes()

    config = tmp_path / "kiosk.toml"
    config.write_text(f"""
[terminal]
kiosk_id = "{KIOSK}"
data_dir = "{k.data}"
district_url = "{district_sqlite.url}"

[sync]
interval_s = 0.2
heartbeat_s = 0.4
catalog_poll_s = 3600.0
request_timeout_s = 5.0

[service]
check_interval_s = 0.4
""", encoding="utf-8")
    sync_log = k.data / "logs" / "sync.jsonl"
    env = {key: value for key, value in os.environ.items() if key not in ("NOTIFY_SOCKET", "WATCHDOG_USEC")}
    once = subprocess.run([sys.executable, "-m", "sync.daemon_cli", "--config", str(config), "--once"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60)
    assert once.returncode == 5 and "database corrupt" in once.stderr
    assert kiosk_overview(district_sqlite.engine)[KIOSK]["out_of_service"] == ["database-corrupt"]  # one beat
    assert _received(district_sqlite.engine) == (0, 0)
    daemon = subprocess.Popen([sys.executable, "-m", "sync.daemon_cli", "--config", str(config)], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=(tmp_path / "sync.stderr").open("wb"))
    try:
        # The district learns of it from the heartbeat: the condition holding, and its start as a service event.
        assert wait_for(lambda: any(e["event"] == "service-condition-raised" and e.get("kiosk") == KIOSK
                                    and e["condition"] == "database-corrupt" for e in _events(district_log))), \
            (tmp_path / "sync.stderr").read_text()
        assert wait_for(lambda: (kiosk_overview(district_sqlite.engine)[KIOSK]["out_of_service"] or [])
                        == ["database-corrupt"])
        # what `kiosk-district kiosk list` prints for it
        assert "OUT OF SERVICE: database-corrupt" in _kiosk_line(KIOSK, kiosk_overview(district_sqlite.engine)[KIOSK])
        first = kiosk_overview(district_sqlite.engine)[KIOSK]["last_heartbeat"]
        assert wait_for(lambda: kiosk_overview(district_sqlite.engine)[KIOSK]["last_heartbeat"] > first + 0.5)
        assert daemon.poll() is None
        assert _received(district_sqlite.engine) == (0, 0), "nothing is synced from a corrupt file"
        assert db.read_bytes() == damaged, "the damaged file is evidence: left as it is"
        corrupt = [e for e in _events(sync_log) if e["event"] == "db-corrupt"]
        assert len(corrupt) == 2 and corrupt[1]["path"] == str(db), "--once's, then the daemon's once, not every loop"
        raised = [e for e in _events(district_log) if e["event"] == "service-condition-raised"]
        assert len(raised) == 1, "an acknowledged change is not sent again"
        # ... and it is latched: one alert for an operator to acknowledge (district.latched_alerts)
        latched = latched_alerts.open_by_kiosk(district_sqlite.engine)[KIOSK]
        assert [(a["kind"], a["params"]["condition"]) for a in latched] == [("service-condition", "database-corrupt")]
        if Path("/proc/uptime").exists():
            assert kiosk_overview(district_sqlite.engine)[KIOSK]["host_uptime_s"] > 0

        os.replace(good, db)  # the technician restores the copy; the daemon notices by itself
        assert wait_for(lambda: _received(district_sqlite.engine) == (30, 30))
        assert wait_for(lambda: kiosk_overview(district_sqlite.engine)[KIOSK]["out_of_service"] == [])
        assert wait_for(lambda: any(e["event"] == "service-condition-cleared" and e["condition"] == "database-corrupt"
                                    for e in _events(district_log)))
        assert wait_for(lambda: kiosk_overview(district_sqlite.engine)[KIOSK]["backlog"] == 0)
        with Session(district_sqlite.engine) as s:
            stored = s.scalars(select(ReceivedTransactionRow.id)).all()
        assert sorted(stored) == sorted(ids)
        assert kiosk_overview(district_sqlite.engine)[KIOSK]["duplicates_refused"] == 0
        assert latched_alerts.open_by_kiosk(district_sqlite.engine)[KIOSK] == latched, "repaired: still to acknowledge"
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=15) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    journal = ServiceJournal(k.data).read()
    assert journal["conditions"] == []
    assert [(e["condition"], e["change"]) for e in journal["events"]] == [
        ("database-corrupt", "raised"), ("database-corrupt", "cleared")]
    district_events = [(e["event"], e["seq"]) for e in _events(district_log) if e["event"].startswith("service-")]
    assert district_events == [("service-condition-raised", 1), ("service-condition-cleared", 2)]


def test_the_guarded_loop_reports_a_file_that_is_no_database_and_resumes_in_the_same_process(
        district_sqlite, kiosk_factory, tmp_path: Path):
    district_sqlite.app.state.eventlog = EventLog(path=tmp_path / "district.jsonl", component="district")
    k, ids, good = _kiosk_with_backlog(kiosk_factory, district_sqlite, tmp_path, 12)
    _damage(k.data / "kiosk.db", "header")
    config = dataclasses.replace(k.config, sync=dataclasses.replace(k.config.sync, heartbeat_s=0.3),
                                 service=dataclasses.replace(k.config.service, check_interval_s=0.3))
    sync_log = tmp_path / "sync.jsonl"
    log = EventLog(path=sync_log, component="sync")
    stop = threading.Event()
    outcome: list[bool] = []
    loop = threading.Thread(target=lambda: outcome.append(run_guarded(config, log, stop, max_sleep_s=0.1)),
                            daemon=True)
    loop.start()
    try:
        assert wait_for(lambda: kiosk_overview(district_sqlite.engine)[KIOSK]["out_of_service"] == ["database-corrupt"])
        assert _received(district_sqlite.engine) == (0, 0)
        os.replace(good, k.data / "kiosk.db")
        assert wait_for(lambda: _received(district_sqlite.engine) == (12, 12))
        assert wait_for(lambda: kiosk_overview(district_sqlite.engine)[KIOSK]["out_of_service"] == [])
    finally:
        stop.set()
        loop.join(timeout=15)
    assert outcome == [False]  # stopped with a sound database
    log.close()
    assert [e["event"] for e in _events(sync_log)].count("db-corrupt") == 1
    with Session(district_sqlite.engine) as s:
        assert sorted(s.scalars(select(ReceivedTransactionRow.id)).all()) == sorted(ids)
    # what the district acknowledged is remembered outside the database too: nothing is sent again
    assert json.loads((k.data / "sync" / "service_events_sent.json").read_text())["service_events_sent"] == 2


def test_a_page_going_bad_under_the_running_daemon_is_found_and_a_stale_backup_is_not_stored_twice(
        district_sqlite, kiosk_factory, tmp_path: Path):
    k, ids, good = _kiosk_with_backlog(kiosk_factory, district_sqlite, tmp_path, 12)  # `good`: 12 rows pending
    config = dataclasses.replace(k.config, sync=dataclasses.replace(k.config.sync, heartbeat_s=0.3),
                                 service=dataclasses.replace(k.config.service, check_interval_s=0.3))
    sync_log = tmp_path / "sync.jsonl"
    log = EventLog(path=sync_log, component="sync")
    stop = threading.Event()
    loop = threading.Thread(target=run_guarded, args=(config, log, stop),
                            kwargs={"max_sleep_s": 0.1, "database_check_s": 0.3}, daemon=True)
    loop.start()
    try:
        assert wait_for(lambda: _received(district_sqlite.engine) == (12, 12))
        assert kiosk_overview(district_sqlite.engine)[KIOSK]["out_of_service"] in ([], None)
        db = k.data / "kiosk.db"
        with open(db, "r+b") as f:  # a failing card: pages go bad while the daemon runs
            f.seek(4096)  # the header page stays: the file still opens as a database
            f.write(os.urandom(max(4096, db.stat().st_size // 2 // 4096 * 4096)))
        assert wait_for(lambda: kiosk_overview(district_sqlite.engine)[KIOSK]["out_of_service"] == ["database-corrupt"])
        # The technician puts back last night's copy, which still holds the 12 rows as pending.
        os.replace(good, k.data / "kiosk.db")
        assert wait_for(lambda: kiosk_overview(district_sqlite.engine)[KIOSK]["out_of_service"] == [])
        assert wait_for(lambda: kiosk_overview(district_sqlite.engine)[KIOSK]["backlog"] == 0)
    finally:
        stop.set()
        loop.join(timeout=15)
    assert not loop.is_alive()
    log.close()
    assert _received(district_sqlite.engine) == (12, 12), "sent again, stored once"
    assert [e["event"] for e in _events(sync_log)].count("db-corrupt") == 1
