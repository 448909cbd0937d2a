"""The reader and camera screens on real stacks: pcscd with vpcd (empty, card present with its ATR, mute card,
service gone) and the camera played from a photo through OpenCV; the reader down puts the terminal out of service
for citizens with the nearest staffed counter."""

from __future__ import annotations

from pathlib import Path

from contract.eventlog import EventLog
from kiosk.core.session import State
from kiosk.technician_pin import TechnicianPin
from kiosk.terminal.device_consequences import READER_DOWN
from kiosk.terminal.technician_mode import ModeState
from kiosk.ui.text import tr
from tests.diagnostics.mute_card import MuteCard
from tests.document.documents import build_document, make_pki, td3_mrz
from tests.document.emrtd_chip import ATR_EXTENDED, EmrtdChip, VirtualCard, _fix_atr_tck
from tests.shell.conftest import shell_config
from tests.shell.drive import find, tap
from tests.technician.drive import PIN, enter, open_page, snap

MRZ = td3_mrz("L898902C3", "740812", "350415", "ERIKSSON", "ANNA MARIA", sex="F")


def open_technician_shell(open_shell, tmp_path: Path, district, **sections):
    config = shell_config(tmp_path / "kiosk", district.url, **sections)
    config.data_dir.mkdir(parents=True)
    TechnicianPin(config.data_dir).set_pin(PIN)
    return open_shell(config, log=EventLog(path=config.data_dir / "logs" / "kiosk.jsonl")), config


def leave(qtbot, window) -> None:
    tap(qtbot, window, "technician-leave")
    panel = window.technician
    qtbot.waitUntil(lambda: window.terminal.technician.state is ModeState.OFF
                    or panel.stack.currentWidget() is panel.leave_sheet, timeout=60000)


def test_reader_screen_and_a_reader_that_goes_away(qtbot, open_shell, tmp_path: Path, district, pcscd):
    pcscd.start()
    window, config = open_technician_shell(open_shell, tmp_path, district, devices={"document_reader": "pcsc"},
                                           document={"block_unknown_issuer": False}, terminal={"demo": True})
    terminal = window.terminal
    enter(qtbot, window)
    open_page(qtbot, window, "reader")
    page = window.technician.pages["reader"]
    qtbot.waitUntil(lambda: page.last is not None and page.last.status.status_id == "RDR-OK", timeout=15000)
    assert f"{tr('Card present')}: {tr('no')}" in find(window, "reader-facts").text()

    document = build_document(make_pki("ec"), MRZ, b"\xff\xd8\xff\xd9", "jpeg")
    card = VirtualCard(EmrtdChip(document.files, document.access_key), pcscd.port)
    card.insert()
    try:
        qtbot.waitUntil(lambda: page.last.status.status_id == "RDR-CARD-PRESENT", timeout=15000)
        atr = _fix_atr_tck(ATR_EXTENDED).hex().upper()
        facts = find(window, "reader-facts").text()
        assert f"ATR: {atr}" in facts and f"{tr('Card present')}: {tr('yes')}" in facts and "Virtual PCD 00 00" in facts
        snap(window, "reader")
        assert terminal.session.state is State.ATTRACT  # a card on the reader starts no session meanwhile
    finally:
        card.remove()
    qtbot.waitUntil(lambda: page.last.status.status_id == "RDR-OK", timeout=15000)
    mute = MuteCard(pcscd.port, "garbage")
    mute.insert()
    try:
        qtbot.waitUntil(lambda: page.last.status.status_id == "RDR-CARD-MUTE", timeout=15000)
        assert "ATR: FF00" in find(window, "reader-facts").text()
    finally:
        mute.remove()
    leave(qtbot, window)
    assert terminal.technician.state is ModeState.OFF and terminal.out_of_service is None

    # the reader service goes away: citizens are told kindly where staff are; nobody can start a session
    pcscd.stop()
    try:
        def reader_down() -> bool:
            terminal.write_device_health()
            return terminal.out_of_service == READER_DOWN

        qtbot.waitUntil(reader_down, timeout=30000)
        terminal.poll_sync_status()
        qtbot.waitUntil(window.out_of_service.isVisible, timeout=10000)
        text = window.out_of_service_text.text()
        assert config.terminal.staffed_counter in text and window.out_of_service.property("reason") == READER_DOWN
        snap(window, "citizen-out-of-service-reader")
        assert '"out_of_service": "out_of_service.reader"' in (config.data_dir / "devices.json").read_text()
        # the corner still works over the out-of-service screen; leaving is refused while the reader is down
        enter(qtbot, window)
        reader = next(run for run in window.technician.pages["devices"].runs if run.status.device == "reader")
        assert reader.status.health.value == "fail"
        leave(qtbot, window)
        assert window.technician.stack.currentWidget() is window.technician.leave_sheet
        assert reader.status.status_id in find(window, "leave-failing").text()
        assert terminal.technician.state is ModeState.ACTIVE
    finally:
        pcscd.start()
    tap(qtbot, window, "leave-stay")
    leave(qtbot, window)  # the reader is back: so is the service
    assert terminal.technician.state is ModeState.OFF


def test_camera_screen_shows_live_frames_with_the_face_box_and_frame_rate(
        qtbot, open_shell, tmp_path: Path, district, faces_dir: Path):
    photo = faces_dir / "fr_ex_obama.jpg"
    window, _ = open_technician_shell(open_shell, tmp_path, district, simulated={"camera_source": str(photo)})
    enter(qtbot, window)
    open_page(qtbot, window, "camera")
    page = window.technician.pages["camera"]
    qtbot.waitUntil(lambda: page.frames >= 10 and page.last_box is not None, timeout=60000)
    fps = float(find(window, "camera-fps").text().split()[0])
    assert 0.0 < fps <= 25.0  # OpenCvCamera plays the still at 20 frames/s at most (less on a loaded machine)
    left, top, right, bottom = page.last_box
    assert 40 < right - left < 1000 and 40 < bottom - top < 1000
    assert page.view.pixmap() is not None and not page.view.pixmap().isNull()
    snap(window, "camera")
    open_page(qtbot, window, "devices")  # leaving the page stops the stream and releases the camera
    qtbot.waitUntil(lambda: window.terminal.devices.camera.state.value == "closed", timeout=10000)
