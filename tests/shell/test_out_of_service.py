"""A revoked kiosk's shell: a kind out-of-service screen instead of Start, no session, nothing recorded; back in
service once re-admitted. Real district on loopback, real sync daemon, real terminal on simulated devices."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import NullEventLog
from district.kiosk_registry import revoke_kiosk
from kiosk.core.session import State
from kiosk.store.database import migrate
from kiosk.store.models import TransactionRow
from kiosk.terminal.out_of_service import REVOKED
from kiosk.ui.text import message
from sync.daemon import SyncDaemon
from tests.shell.conftest import shell_config
from tests.shell.drive import find, tap, wait_state


def test_a_revoked_kiosk_shows_out_of_service_and_starts_no_session(qtbot, open_shell, tmp_path: Path, district):
    config = shell_config(tmp_path / "kiosk", district.url)
    config.data_dir.mkdir(parents=True)
    engine = open_engine(sqlite_url(config.data_dir / "kiosk.db"))
    migrate(engine)
    daemon = SyncDaemon(config, engine, NullEventLog())
    assert daemon.heartbeat()
    revoke_kiosk(district.engine, config.terminal.kiosk_id)
    assert daemon.heartbeat() is False  # the district's answer: revoked

    window = open_shell(config)
    qtbot.waitUntil(lambda: window.out_of_service.isVisible(), timeout=5000)
    assert find(window, "out-of-service").property("reason") == REVOKED
    assert find(window, "out-of-service-sentence").text() == message(REVOKED) != REVOKED  # a sentence, not a key
    assert config.terminal.kiosk_id in find(window, "out-of-service-kiosk").text()
    assert config.terminal.staffed_counter in find(window, "out-of-service-counter").text()
    qtbot.mouseClick(window.screens[State.ATTRACT].start, Qt.MouseButton.LeftButton)  # a tap that reaches Start
    qtbot.wait(300)
    assert window.terminal.session.state is State.ATTRACT and window.terminal.session.session_id == 0
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(TransactionRow)) == 0

    # re-admitted (new token, new key): the daemon re-enrolls, the shell is back in service at its next poll
    from district.kiosk_registry import readmit_kiosk

    token = readmit_kiosk(district.engine, config.terminal.kiosk_id)
    assert SyncDaemon(config, engine, NullEventLog(), token=token).drain().outcome == "empty"
    window.terminal.poll_sync_status()
    qtbot.waitUntil(lambda: not window.out_of_service.isVisible(), timeout=5000)
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    engine.dispose()
