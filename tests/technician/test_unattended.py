"""The technicians' mode when things happen behind the technician's back, in the real shell (offscreen): the
camera unplugged while its screen streams (OpenCV playing a folder of photos that is taken away and brought
back), and a technician who walks away from an open mode (the layer hides, citizens see the out-of-service
screen, never diagnostics, and the way back is the corner and the PIN again)."""

from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.core.session import Start, State
from kiosk.terminal.technician_mode import ModeState
from kiosk.ui.text import tr
from tests.shell.drive import find, tap
from tests.technician.drive import PIN, enter, hold_corner, open_page, type_pin
from tests.technician.test_reader_camera import open_technician_shell

LOST = ("The camera stopped delivering pictures: it may be unplugged or failing. "
        "The picture comes back here as soon as the camera does.")  # translated when the screen is read


def _camera_folder(tmp_path: Path, faces_dir: Path) -> Path:
    folder = tmp_path / "camera"
    folder.mkdir()
    shutil.copyfile(faces_dir / "fr_ex_obama.jpg", folder / "frame.jpg")
    return folder


def test_a_camera_unplugged_while_shown_is_reported_and_its_picture_comes_back_when_it_does(
        qtbot, open_shell, tmp_path: Path, district, faces_dir: Path):
    folder = _camera_folder(tmp_path, faces_dir)
    window, _ = open_technician_shell(open_shell, tmp_path, district, simulated={"camera_source": str(folder)})
    enter(qtbot, window)
    open_page(qtbot, window, "camera")
    page = window.technician.pages["camera"]
    qtbot.waitUntil(lambda: page.frames >= 5, timeout=60000)

    unplugged = folder.rename(tmp_path / "unplugged")
    try:
        qtbot.waitUntil(lambda: find(window, "camera-fps").text() == tr(LOST), timeout=10000)
    finally:
        print("camera-fps:", find(window, "camera-fps").text(), "| state:", window.terminal.devices.camera.state)
    assert page.view.pixmap() is None or page.view.pixmap().isNull(), "no stale frame passes for a live one"
    assert window.terminal.technician.state is ModeState.ACTIVE and window.technician.isVisible()
    seen = page.frames

    unplugged.rename(folder)  # plugged in again
    qtbot.waitUntil(lambda: page.frames >= seen + 5, timeout=20000)
    qtbot.waitUntil(lambda: tr("frames/s") in find(window, "camera-fps").text(), timeout=5000)
    assert not page.view.pixmap().isNull()
    open_page(qtbot, window, "devices")
    qtbot.waitUntil(lambda: window.terminal.devices.camera.state.value == "closed", timeout=10000)


def test_a_technician_who_walks_away_leaves_citizens_the_out_of_service_screen_and_the_pin_guards_the_way_back(
        qtbot, open_shell, tmp_path: Path, district, faces_dir: Path, monkeypatch):
    import kiosk.ui.technician.panel as panel_module

    folder = _camera_folder(tmp_path, faces_dir)
    window, config = open_technician_shell(open_shell, tmp_path, district,
                                           simulated={"camera_source": str(folder)})
    terminal, panel = window.terminal, window.technician
    enter(qtbot, window)
    open_page(qtbot, window, "camera")
    qtbot.waitUntil(lambda: panel.pages["camera"].frames >= 3, timeout=60000)
    monkeypatch.setattr(panel_module, "IDLE_MS", 3000)  # five minutes on a terminal; from the next touch on

    for _ in range(10):  # a technician at work for twice the idle time: every touch starts it again
        tap(qtbot, window, "technician-nav-camera")
        qtbot.wait(600)
    assert panel.isVisible()

    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=10000)  # nobody touched anything
    assert window.out_of_service.isVisible(), "citizens see where staff are, never the diagnostics"
    assert config.terminal.staffed_counter in find(window, "out-of-service-counter").text()
    qtbot.waitUntil(lambda: terminal.devices.camera.state.value == "closed", timeout=10000)  # not filming
    assert terminal.technician.state is ModeState.ACTIVE
    terminal.dispatch(Start())
    assert terminal.session.state is State.ATTRACT, "an open mode still starts no citizen's session"

    hold_corner(qtbot, window)  # the way back: the PIN again, not the workspace
    qtbot.waitUntil(panel.isVisible, timeout=5000)
    assert panel.stack.currentWidget() is panel.pin_pad
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=10000)  # a PIN pad left alone closes too
    assert panel.stack.currentWidget() is not panel.workspace or not panel.isVisible()

    hold_corner(qtbot, window)
    qtbot.waitUntil(panel.isVisible, timeout=5000)
    type_pin(qtbot, window, PIN)
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.workspace and panel.isVisible(), timeout=10000)


def test_a_shell_stopped_with_the_camera_screen_open_releases_the_camera_and_its_thread(
        qtbot, open_shell, tmp_path: Path, district, faces_dir: Path):
    """systemd's SIGTERM while a technician watches the camera: the terminal closes (as `kiosk run` does on the
    signal) and the live view ends with it. The interpreter joins the mode's threads before the process exits, so
    a view left running kept the stopped shell alive until SIGKILL."""
    import threading

    folder = _camera_folder(tmp_path, faces_dir)
    window, _ = open_technician_shell(open_shell, tmp_path, district, simulated={"camera_source": str(folder)})
    enter(qtbot, window)
    open_page(qtbot, window, "camera")
    qtbot.waitUntil(lambda: window.technician.pages["camera"].frames >= 3, timeout=60000)

    window.terminal.close()

    def technician_threads() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith("technician")]

    qtbot.waitUntil(lambda: not technician_threads(), timeout=10000)
    assert window.terminal.devices.camera.state.value == "closed"
