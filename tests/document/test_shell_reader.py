"""The shell on the real reader (`document_reader = "pcsc"`): card tap starts the session, the MRZ step opens
the chip through a private pcscd + vpcd with an emulated eMRTD, a wrong MRZ is said kindly and asked again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.exceptions import TimeoutError as WaitTimeout

from kiosk.core.session import State

# Lives beside the document tests so that it shares their one private pcscd (vpcd listens on a fixed port).
from tests.shell.conftest import district, open_shell, shell_config  # noqa: F401 - fixtures
from tests.shell.drive import find, tap, wait_state


def enter(qtbot, window, testid: str, text: str) -> None:
    edit = find(window, testid)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    edit.clear()
    for ch in text:
        tap(qtbot, window, f"key-{ch}")


def test_card_tap_mrz_entry_and_real_read(qtbot, tmp_path, district, slot, passport, trust_dir,
                                          open_shell):
    config = shell_config(tmp_path / "kiosk", district.url, devices={"document_reader": "pcsc"},
                          document={"trust_store": str(trust_dir)}, terminal={"demo": True})  # simulated face
    window = open_shell(config)
    terminal = window.terminal
    slot.insert(passport)  # the citizen taps the passport: the session starts by itself
    wait_state(qtbot, window, State.READING_DOCUMENT, timeout_ms=15000)
    qtbot.waitUntil(lambda: terminal.session.needs_access_key and find(window, "mrz-doc").isVisible(),
                    timeout=5000)
    enter(qtbot, window, "mrz-doc", "L898902C3")
    enter(qtbot, window, "mrz-dob", "740812")
    enter(qtbot, window, "mrz-exp", "350416")  # one digit off
    tap(qtbot, window, "submit-key")
    qtbot.waitUntil(lambda: terminal.session.message_key == "error.card.wrong_access_key", timeout=15000)

    def form_offered_again() -> bool:  # the shell renders the session on its GUI thread, a moment later
        try:
            return find(window, "mrz-doc").isVisible()
        except LookupError:
            return False

    qtbot.waitUntil(form_offered_again, timeout=5000)
    enter(qtbot, window, "mrz-doc", "L898902C3")
    enter(qtbot, window, "mrz-dob", "740812")
    enter(qtbot, window, "mrz-exp", "350415")
    tap(qtbot, window, "submit-key")
    wait_state(qtbot, window, State.MENU, timeout_ms=20000)
    identity = terminal.session.identity
    assert identity is not None and identity.document_number == "L898902C3"
    assert identity.passive_auth.value == "VALID"
    assert "E*******" in window.screens[State.MENU].greeting.text()
    tap(qtbot, window, "cancel")
    wait_state(qtbot, window, State.ATTRACT)
    assert identity.document_number == "" and identity.photo == b""


def test_mrz_read_by_the_camera_opens_the_chip_without_typing(qtbot, tmp_path, district, slot, passport,
                                                              trust_dir, open_shell):
    import numpy as np

    from kiosk.devices.camera.still import StillCamera
    from kiosk.devices.document.mrz_ocr import MrzOcr
    from kiosk.devices.factory import build_devices
    from tests.document.mrz_frames import document_image

    config = shell_config(tmp_path / "kiosk", district.url, devices={"document_reader": "pcsc"},
                          document={"trust_store": str(trust_dir)}, terminal={"demo": True})  # simulated face
    devices = build_devices(config)
    page = np.asarray(document_image(passport.mrz, width=1000).convert("RGB"))[:, :, ::-1].copy()
    devices.camera = StillCamera(page, fps=15)
    devices.mrz = MrzOcr()  # the factory builds the MRZ reader only with a configured camera
    window = open_shell(config, devices=devices)
    terminal = window.terminal
    # The reading step can be shorter than one poll of the GUI (OCR and chip run on worker threads while the GUI
    # thread paints): record what the window was given instead of hoping to catch it on screen.
    rendered: list[State] = []
    previewed: list[int] = []
    window.bridge.session_changed.connect(lambda session: rendered.append(session.state))
    window.bridge.mrz_frame.connect(lambda frame: previewed.append(1))
    slot.insert(passport)
    try:
        wait_state(qtbot, window, State.MENU, timeout_ms=30000)
    except WaitTimeout as exc:  # say where the journey stopped, not only that it did
        raise AssertionError(f"states shown: {[s.value for s in rendered]}; now {terminal.session.state.value}, "
                             f"message {terminal.session.message_key!r}") from exc
    assert State.READING_DOCUMENT in rendered
    assert previewed, "the camera's frames never reached the preview"
    assert terminal.session.identity.document_number == "L898902C3"
