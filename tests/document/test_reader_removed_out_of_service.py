"""A pulled card reader (pcscd + vpcd going away) puts the real shell out of service; plugging it back in
brings it back by itself, and both changes reach the district with the next heartbeat."""

from __future__ import annotations

from sqlalchemy.orm import Session

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import NullEventLog
from district.models import HeartbeatRow
from kiosk.core.session import Start, State
from kiosk.terminal.out_of_service import Condition
from sync.daemon import SyncDaemon

# Lives beside the document tests so that it shares their one private pcscd (vpcd listens on a fixed port).
from tests.shell.conftest import district, open_shell, shell_config  # noqa: F401 - fixtures
from tests.shell.drive import find


def _missing(window) -> bool:
    screen = window.out_of_service
    return screen.isVisible() and Condition.DEVICE_MISSING.value in (screen.property("conditions") or "")


def test_a_removed_reader_shows_out_of_service_and_its_return_ends_it(qtbot, tmp_path, district, running_pcscd,
                                                                      trust_dir, open_shell):
    config = shell_config(tmp_path / "kiosk", district.url, devices={"document_reader": "pcsc"},
                          document={"trust_store": str(trust_dir)}, terminal={"demo": True})
    window = open_shell(config)
    terminal = window.terminal
    terminal.poll_sync_status()
    qtbot.wait(300)
    assert not window.out_of_service.isVisible()
    try:
        running_pcscd.stop()  # the reader is pulled: PC/SC sees no reader at all
        qtbot.waitUntil(lambda: (terminal.poll_sync_status(), qtbot.wait(200), _missing(window))[-1],
                        timeout=20000)
        assert "no card reader" in find(window, "out-of-service-keys").text()
        terminal.dispatch(Start())
        assert terminal.session.state is State.ATTRACT and terminal.session.session_id == 0
        engine = open_engine(sqlite_url(config.data_dir / "kiosk.db"))
        daemon = SyncDaemon(config, engine, NullEventLog())
        assert daemon.heartbeat()
        with Session(district.engine) as s:
            body = s.get(HeartbeatRow, config.terminal.kiosk_id).body
        assert body["out_of_service"] == ["device-missing"]
        assert body["service_events"][-1]["change"] == "raised"
    finally:
        running_pcscd.start()  # plugged back in
    qtbot.waitUntil(lambda: (terminal.poll_sync_status(), qtbot.wait(200),
                             not window.out_of_service.isVisible())[-1], timeout=30000)
    assert daemon.heartbeat()
    with Session(district.engine) as s:
        body = s.get(HeartbeatRow, config.terminal.kiosk_id).body
    assert body["out_of_service"] == [] and body["service_events"][-1]["change"] == "cleared"
    engine.dispose()
