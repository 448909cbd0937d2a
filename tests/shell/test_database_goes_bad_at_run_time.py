"""A database that goes bad while the shell runs: the real shell (offscreen) over a real SQLite file whose pages
are overwritten with garbage at run time goes out of service within its check interval (the one screen, the
staffed counter, no session starting), and a good copy put back brings it into service by itself, after which a
citizen's transaction completes and is stored in the restored file. A file that goes bad under a citizen's
session is not looked at until they leave: their request fails cleanly (no tracking number for what is not on
disk), and the screen follows once they have gone."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from contract.durable_sqlite import open_engine, sqlite_url
from kiosk.core.session import Cancel, Start, State
from kiosk.store.service_journal import ServiceJournal
from kiosk.store.transactions import tracking_number
from kiosk.terminal.out_of_service import Condition
from tests.shell.conftest import shell_config
from tests.shell.drive import find, reach_confirm, tap, wait_state

SI_ITEM = "si-contribution-record"
CHECK_S = 0.3


def _complete_a_session(qtbot, window) -> str:
    reach_confirm(qtbot, window, SI_ITEM)
    tap(qtbot, window, "confirm")
    wait_state(qtbot, window, State.DONE, timeout_ms=30000)
    tracking = window.terminal.session.tracking_number
    assert tracking
    tap(qtbot, window, "finish")
    wait_state(qtbot, window, State.ATTRACT)
    return tracking


def _stored(db: Path) -> list[tuple[str, str]]:
    engine = open_engine(sqlite_url(db))
    try:
        with engine.connect() as c:
            rows = c.execute(text("select kiosk_id, seq, status from transactions")).all()
            return [(tracking_number(kiosk, seq), status) for kiosk, seq, status in rows]
    finally:
        engine.dispose()


def _garble_pages(db: Path) -> None:
    """Garbage over every page but the header page, in place, as a failing card would leave it."""
    with sqlite3.connect(db) as c:  # what the shell wrote is in the file, not only in its WAL
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = 4096
    with open(db, "r+b") as f:
        size = db.stat().st_size
        f.seek(page)
        f.write(os.urandom(size - page))
        f.flush()
        os.fsync(f.fileno())


def _screen_shows(window, condition: Condition) -> bool:
    screen = window.out_of_service
    return screen.isVisible() and condition.value in (screen.property("conditions") or "")


def test_a_database_garbled_at_run_time_takes_the_shell_out_of_service_until_a_good_copy_is_back(
        qtbot, open_shell, district, tmp_path):
    config = shell_config(tmp_path / "kiosk", district.url, service={"database_check_s": CHECK_S})
    window = open_shell(config)
    terminal = window.terminal
    db = config.data_dir / "kiosk.db"
    first = _complete_a_session(qtbot, window)  # a citizen served while the file was sound
    good = tmp_path / "backup.db"  # the technician's good copy (SQLite's online backup)
    with sqlite3.connect(db) as src, sqlite3.connect(good) as dst:
        src.backup(dst)
    started: list[int] = []  # recorded as it happens, not polled from the screen
    terminal.subscribe(lambda s: started.append(s.session_id) if s.state is not State.ATTRACT else None)

    _garble_pages(db)
    damaged_at = time.monotonic()
    qtbot.waitUntil(lambda: _screen_shows(window, Condition.DATABASE_CORRUPT), timeout=10000)
    noticed_s = time.monotonic() - damaged_at
    assert noticed_s < CHECK_S + 5.0, f"noticed after {noticed_s:.1f} s"  # one interval, plus a loaded machine
    assert config.terminal.staffed_counter in find(window, "out-of-service-counter").text()
    assert config.terminal.kiosk_id in find(window, "out-of-service-kiosk").text()
    assert "database-corrupt" in find(window, "out-of-service-keys").text()
    session_id = terminal.session.session_id
    for _ in range(3):  # cards tapped meanwhile start nothing, look after look
        terminal.dispatch(Start())
        qtbot.wait(int(CHECK_S * 1000))
    assert terminal.session.state is State.ATTRACT and terminal.session.session_id == session_id
    assert started == [], "no session may start on a corrupt database"
    assert _screen_shows(window, Condition.DATABASE_CORRUPT)

    # The technician puts the good copy back: a new file behind the same path (copied beside it, renamed over).
    restored = db.with_name("kiosk.db.restoring")
    restored.write_bytes(good.read_bytes())
    os.replace(restored, db)
    qtbot.waitUntil(lambda: not window.out_of_service.isVisible(), timeout=10000)
    assert terminal.out_of_service is None
    second = _complete_a_session(qtbot, window)
    stored = dict(_stored(db))  # in the restored file, not in the inode it replaced
    assert stored == {first: "completed", second: "completed"}
    events = [(e["condition"], e["change"]) for e in ServiceJournal(config.data_dir).read()["events"]]
    assert events == [("database-corrupt", "raised"), ("database-corrupt", "cleared")]


def test_a_database_garbled_under_a_citizens_session_fails_their_request_cleanly_then_goes_out_of_service(
        qtbot, open_shell, district, tmp_path):
    config = shell_config(tmp_path / "kiosk", district.url, service={"database_check_s": CHECK_S})
    window = open_shell(config)
    terminal = window.terminal
    reach_confirm(qtbot, window, SI_ITEM)
    _garble_pages(config.data_dir / "kiosk.db")  # the card fails while the citizen reads the confirmation
    qtbot.wait(int(CHECK_S * 3000))
    assert not window.out_of_service.isVisible(), "a citizen's session is never covered"
    assert terminal.session.state is State.CONFIRM
    tap(qtbot, window, "confirm")
    qtbot.waitUntil(lambda: not terminal.session.busy and terminal.session.message_key is not None
                    or terminal.session.state is State.DONE, timeout=30000)
    # The write met the bad pages: the citizen is told the request failed and is handed no tracking number for
    # a transaction that is not on disk; the terminal does not hang and does not crash.
    assert terminal.session.message_key == "error.service" and not terminal.session.tracking_number
    terminal.dispatch(Cancel())  # the citizen leaves
    wait_state(qtbot, window, State.ATTRACT)
    qtbot.waitUntil(lambda: _screen_shows(window, Condition.DATABASE_CORRUPT), timeout=10000)
    terminal.dispatch(Start())
    assert terminal.session.state is State.ATTRACT


def test_a_technician_salvages_the_damaged_file_and_the_running_shell_serves_again(
        qtbot, open_shell, district, tmp_path):
    """The procedure of deploy/README.md ("A damaged database") against the running shell: `kiosk store
    salvage` puts a salvaged copy in place, no restart, and what was not yet sent is still there to send."""
    import json
    import subprocess
    import sys

    from kiosk.store.salvage import SEQUENCE_GAP

    config = shell_config(tmp_path / "kiosk", district.url, service={"database_check_s": CHECK_S})
    window = open_shell(config)
    db = config.data_dir / "kiosk.db"
    first = _complete_a_session(qtbot, window)
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = c.execute("select rootpage from sqlite_master where name = 'transactions'").fetchone()[0]
    with open(db, "r+b") as f:  # the transactions table's only page goes bad; its outbox entry survives
        f.seek((root - 1) * 4096)
        f.write(os.urandom(4096))
    qtbot.waitUntil(lambda: _screen_shows(window, Condition.DATABASE_CORRUPT), timeout=10000)

    done = subprocess.run([sys.executable, "-m", "kiosk", "store", "salvage", "--data", str(config.data_dir),
                           "--json"], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["rebuilt_transactions"] == 1 and report["pending"] >= 1
    qtbot.waitUntil(lambda: not window.out_of_service.isVisible(), timeout=10000)
    second = _complete_a_session(qtbot, window)
    assert second == tracking_number(config.terminal.kiosk_id, 1 + SEQUENCE_GAP + 1), \
        "numbering continues past anything a lost page may have held"
    assert dict(_stored(db)) == {first: "completed", second: "completed"}
    events = [(e["condition"], e["change"]) for e in ServiceJournal(config.data_dir).read()["events"]]
    assert events == [("database-corrupt", "raised"), ("database-corrupt", "cleared")]
