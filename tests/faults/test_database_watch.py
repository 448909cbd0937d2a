"""The running shell's database watch on a real SQLite file: one page garbled in the middle (the header intact, so
the file still opens) is found by the quick check on a connection of its own; nothing is looked at while a
citizen's session is under way; a missing file is a finding and is not recreated empty."""

from __future__ import annotations

import threading
from pathlib import Path

from contract.eventlog import NullEventLog
from kiosk.assembly import database_path, open_store
from kiosk.terminal.database_watch import DatabaseWatch, look_at
from kiosk.terminal.out_of_service import Condition
from tests.faults.test_corrupt_database import _config, _damage_page, _store_with_transactions


def test_a_page_garbled_in_the_middle_is_found_and_a_missing_file_is_not_recreated(tmp_path: Path):
    path = _store_with_transactions(tmp_path / "kiosk")
    assert look_at(path) is None
    _damage_page(path, 3)
    finding = look_at(path)
    assert finding is not None and finding.condition is Condition.DATABASE_CORRUPT
    assert "quick_check" in finding.detail or "malformed" in finding.detail
    path.unlink()
    missing = look_at(path)
    assert missing is not None and "missing" in missing.detail
    assert not path.exists(), "looking must not create an empty database in place of the lost one"


def test_nothing_is_looked_at_while_a_session_is_under_way(tmp_path: Path):
    path = _store_with_transactions(tmp_path / "kiosk")
    store = open_store(_config(tmp_path / "kiosk"))
    assert database_path(_config(tmp_path / "kiosk")) == path
    citizen_here = threading.Event()
    citizen_here.set()
    changes: list = []
    seen = threading.Event()
    watch = DatabaseWatch(store.engine, 0.05, lambda: not citizen_here.is_set(),
                          lambda f: (changes.append(f), seen.set()), NullEventLog())
    watch.start()
    try:
        _damage_page(path, 3)
        assert not seen.wait(0.5), "a look during a session"
        assert watch.last_check_ms is None
        citizen_here.clear()  # the citizen's session ended
        assert seen.wait(10)
        assert [f.condition for f in changes] == [Condition.DATABASE_CORRUPT]
    finally:
        watch.stop()
        store.engine.dispose()
