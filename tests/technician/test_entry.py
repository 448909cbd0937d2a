"""Entering and leaving the technicians' mode in the real shell (real terminal, SQLite, district on loopback,
simulated devices): the five-second corner press, the PIN with its lockout, waiting for a citizen's session,
out of service for citizens meanwhile, every entry and exit sent to the district with the heartbeat."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import EventLog, NullEventLog
from district import latched_alerts
from district.stats import kiosk_overview
from kiosk.core.session import Start, State
from kiosk.technician_pin import TechnicianPin
from kiosk.terminal.technician_mode import TECHNICIAN, ModeState
from kiosk.ui.text import message, tr
from sync.daemon import SyncDaemon
from tests.shell.conftest import shell_config
from tests.shell.drive import tap, wait_state
from tests.technician.drive import PIN, events, hold_corner, log_events, snap, type_pin


def technician_shell(open_shell, tmp_path: Path, district, pin: str | None = PIN):
    config = shell_config(tmp_path / "kiosk", district.url)
    config.data_dir.mkdir(parents=True)
    if pin:
        TechnicianPin(config.data_dir).set_pin(pin)
    log = EventLog(path=config.data_dir / "logs" / "kiosk.jsonl")
    return open_shell(config, log=log), config


def test_a_five_second_corner_press_and_the_pin_open_the_mode_and_leaving_returns_to_service(
        qtbot, open_shell, tmp_path: Path, district):
    window, config = technician_shell(open_shell, tmp_path, district)
    panel, mode = window.technician, window.terminal.technician
    corner = panel.corner
    assert corner.hold_ms == 5000
    assert corner.width() >= 56  # 15 mm at the configured 96 dpi
    # two seconds is a long tap, nothing more
    qtbot.mousePress(corner, Qt.MouseButton.LeftButton)
    qtbot.wait(2000)
    qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton)
    qtbot.wait(300)
    assert not panel.isVisible()
    # five seconds opens the PIN pad; the citizen's Attract screen is still there underneath
    qtbot.mousePress(corner, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.isVisible, timeout=8000)
    qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton)
    assert panel.stack.currentWidget() is panel.pin_pad
    snap(window, "pin")
    type_pin(qtbot, window, "135792")
    qtbot.waitUntil(lambda: window.technician.pin_pad.verdict.isVisible(), timeout=5000)
    assert window.technician.pin_pad.verdict.text() == tr("Wrong PIN (%1 failed so far).").replace("%1", "1")
    assert mode.state is ModeState.OFF
    type_pin(qtbot, window, PIN)
    qtbot.waitUntil(lambda: mode.state is ModeState.ACTIVE, timeout=5000)
    qtbot.waitUntil(lambda: len(panel.pages["devices"].runs) == 9, timeout=60000)
    qtbot.wait(300)  # the table's cells are shown by a queued call
    snap(window, "devices")

    # out of service for citizens: no session starts, the kind sentence names the staffed counter
    assert window.terminal.out_of_service == TECHNICIAN
    window.terminal.dispatch(Start())
    assert window.terminal.session.state is State.ATTRACT and window.terminal.session.session_id == 0
    assert window.out_of_service.property("reason") == TECHNICIAN
    assert config.terminal.staffed_counter in window.out_of_service_text.text()
    assert window.out_of_service_text.text().startswith(message(TECHNICIAN).split("%1")[0])

    tap(qtbot, window, "technician-leave")
    qtbot.waitUntil(lambda: mode.state is ModeState.OFF, timeout=60000)
    qtbot.waitUntil(lambda: not panel.isVisible() and not window.out_of_service.isVisible(), timeout=5000)
    assert window.terminal.out_of_service is None
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)

    kinds = [e["event"] for e in events(config.data_dir)]
    assert kinds == ["pin-rejected", "entered", "exited"]
    assert events(config.data_dir)[-1]["outcome"] == "returned-to-service"
    logged = [e["event"] for e in log_events(config.data_dir / "logs" / "kiosk.jsonl")]
    assert {"technician-mode-entered", "diagnostics-opened", "technician-mode-exited"} <= set(logged)

    # the district hears of it with the next heartbeat
    window.terminal.write_device_health()
    devices_file = config.data_dir / "devices.json"
    qtbot.waitUntil(lambda: devices_file.exists() and "exited" in devices_file.read_text(), timeout=10000)
    engine = open_engine(sqlite_url(config.data_dir / "kiosk.db"))
    assert SyncDaemon(config, engine, NullEventLog()).heartbeat()
    engine.dispose()
    beat = kiosk_overview(district.engine)[config.terminal.kiosk_id]["devices"]
    assert [e["event"] for e in beat["technician"]["events"]] == kinds
    assert beat["technician"]["mode"] == "off"
    assert beat["checks"]["printer"]["internal"]["status_id"] == "PRN-A4-PDF-FOLDER"


def test_repeated_wrong_pins_lock_the_mode_even_for_the_right_pin(qtbot, open_shell, tmp_path: Path, district):
    window, config = technician_shell(open_shell, tmp_path, district)
    mode = window.terminal.technician
    hold_corner(qtbot, window)
    verdict = window.technician.pin_pad.verdict
    for n in range(1, 6):  # LockoutPolicy: 5 free tries, then 30 s, doubling
        type_pin(qtbot, window, "135792")
        qtbot.waitUntil(lambda n=n: verdict.text() in (tr("Wrong PIN (%1 failed so far).").replace("%1", str(n)),
                                                        tr("Wrong PIN. Locked for %1 s.").replace("%1", "30")),
                        timeout=5000)
    assert verdict.text() == tr("Wrong PIN. Locked for %1 s.").replace("%1", "30")
    snap(window, "pin-locked")
    type_pin(qtbot, window, PIN)
    locked = tr("Too many wrong PINs: try again in %1 s.").split("%1")[0]
    qtbot.waitUntil(lambda: verdict.text().startswith(locked), timeout=5000)
    assert mode.state is ModeState.OFF and window.terminal.out_of_service is None
    assert [e["event"] for e in events(config.data_dir)] == ["pin-rejected"] * 5 + ["pin-locked-out"]
    tap(qtbot, window, "pin-cancel")
    assert not window.technician.isVisible()

    # the district latches the lockout (one alert, however often the events are re-sent) until acknowledged
    window.terminal.write_device_health()
    devices_file = config.data_dir / "devices.json"
    qtbot.waitUntil(lambda: devices_file.exists() and "pin-locked-out" in devices_file.read_text(), timeout=10000)
    engine = open_engine(sqlite_url(config.data_dir / "kiosk.db"))
    daemon = SyncDaemon(config, engine, NullEventLog())
    assert daemon.heartbeat() and daemon.heartbeat()
    engine.dispose()
    alerts = latched_alerts.open_by_kiosk(district.engine)[config.terminal.kiosk_id]
    assert [(a["kind"], a["params"]["failures"]) for a in alerts] == [("pin-lockout", 5)]


def test_a_kiosk_without_a_pin_has_no_technicians_mode(qtbot, open_shell, tmp_path: Path, district):
    window, _ = technician_shell(open_shell, tmp_path, district, pin=None)
    hold_corner(qtbot, window)
    type_pin(qtbot, window, PIN)
    verdict = window.technician.pin_pad.verdict
    qtbot.waitUntil(verdict.isVisible, timeout=5000)
    assert "kiosk technician set-pin" in verdict.text()
    assert window.terminal.technician.state is ModeState.OFF


def test_entering_waits_for_the_citizens_session_to_end_and_never_cuts_it_off(
        qtbot, open_shell, tmp_path: Path, district):
    window, config = technician_shell(open_shell, tmp_path, district)
    mode = window.terminal.technician
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    session_id = window.terminal.session.session_id
    # a session left open on the screen: the technician holds the corner and types the PIN over it
    hold_corner(qtbot, window)
    type_pin(qtbot, window, PIN)
    qtbot.waitUntil(lambda: mode.state is ModeState.PENDING, timeout=5000)
    qtbot.waitUntil(lambda: not window.technician.isVisible(), timeout=5000)
    qtbot.wait(500)
    # the citizen's session goes on, untouched, on its own screen
    assert window.terminal.session.state is State.MENU and window.terminal.session.session_id == session_id
    assert window.stack.currentWidget() is window.screens[State.MENU]
    assert window.terminal.out_of_service == TECHNICIAN  # but no new session will start after it
    tap(qtbot, window, "item-si-contribution-record")  # the citizen carries on
    qtbot.waitUntil(lambda: window.terminal.session.state is not State.MENU, timeout=5000)
    assert mode.state is ModeState.PENDING
    tap(qtbot, window, "cancel")  # the citizen ends the session: now the mode opens
    qtbot.waitUntil(lambda: mode.state is ModeState.ACTIVE and window.technician.isVisible(), timeout=10000)
    assert window.terminal.session.state is State.ATTRACT
    kinds = [e["event"] for e in events(config.data_dir)]
    assert kinds == ["entry-pending", "entered"]
    assert events(config.data_dir)[-1]["waited_s"] > 0
    window.terminal.dispatch(Start())
    assert window.terminal.session.state is State.ATTRACT  # out of service while the technician works


def test_network_logs_and_readiness_report_screens(qtbot, open_shell, tmp_path: Path, district):
    import json

    from tests.shell.drive import find
    from tests.technician.drive import enter, open_page

    window, config = technician_shell(open_shell, tmp_path, district)
    demo = json.loads((Path(__file__).resolve().parents[2] / "assets" / "demo" / "identity.json").read_text())
    tap(qtbot, window, "start")  # a citizen's session leaves its (masked) traces in the log
    wait_state(qtbot, window, State.MENU)
    tap(qtbot, window, "cancel")
    wait_state(qtbot, window, State.ATTRACT)
    enter(qtbot, window)

    open_page(qtbot, window, "network")
    network = window.technician.pages["network"]
    qtbot.waitUntil(lambda: network.last is not None, timeout=30000)
    assert network.last.district.status.status_id == "NET-DISTRICT-OK" and network.last.dead_letters == 0
    assert district.url in find(window, "network-facts").text()
    snap(window, "network")

    open_page(qtbot, window, "logs")
    logs = window.technician.pages["logs"]
    qtbot.waitUntil(lambda: any(e.get("event") == "technician-mode-entered" for e in logs.entries), timeout=10000)
    shown = find(window, "logs-text").toPlainText()
    assert "document-read-complete" in shown and "technician-pin-checked" in shown
    assert demo["document_number"] not in shown  # the log was written masked
    snap(window, "logs")

    open_page(qtbot, window, "report")
    report = window.technician.pages["report"]
    qtbot.waitUntil(lambda: report.readiness is not None, timeout=60000)
    assert config.terminal.kiosk_id in find(window, "report-summary").text()
    tap(qtbot, window, "report-print")
    qtbot.waitUntil(lambda: report.outcome.isVisible() or report.problem.isVisible(), timeout=60000)
    assert not report.problem.isVisible(), report.problem.text()
    printed = list((config.data_dir / "printed").glob("*.pdf"))
    assert len(printed) == 1 and printed[0].read_bytes().startswith(b"%PDF")
    snap(window, "report")


def test_every_button_of_the_technicians_screens_is_a_15_mm_target(qtbot, open_shell, tmp_path: Path, district):
    from PySide6.QtWidgets import QPushButton

    from kiosk.ui import theme
    from tests.technician.drive import enter, open_page

    window, config = technician_shell(open_shell, tmp_path, district)
    minimum = theme.touch_px(config.ui.min_touch_mm, config.ui.dpi)
    assert minimum >= 56
    enter(qtbot, window)
    for name in ("devices", "checks", "printer", "network", "logs", "report"):  # camera, reader: no buttons
        open_page(qtbot, window, name)
        qtbot.wait(200)
        buttons = [b for b in window.technician.findChildren(QPushButton) if b.isVisible()]
        assert buttons
        small = [(b.text(), b.width(), b.height()) for b in buttons if min(b.width(), b.height()) < minimum]
        assert not small, f"{name}: {small}"
