"""The shell's VerifyingFace screen driven by the real face check and a file camera (a folder of frames).

The camera folder holds a head-turn sequence made from a real photo (written to the test's temporary folder, the
way a camera would deliver it; the terminal's data folder is separate and is scanned for biometric leftovers).
"""

from __future__ import annotations

import dataclasses
import io
import random
from pathlib import Path

import pytest

from contract.eventlog import EventLog
from kiosk.core.session import State
from kiosk.devices.camera.opencv import OpenCvCamera
from kiosk.devices.face.dlib_verifier import DlibFaceVerifier
from kiosk.devices.face.liveness import random_challenge
from kiosk.devices.face.synthetic_turns import fit_frame, turn_sequence
from tests.shell.conftest import district, enroll_if_reachable, shell_config  # noqa: F401 - the district fixture
from tests.shell.drive import tap, visible_texts, wait_state

cv2 = pytest.importorskip("cv2")
LIVE = "fr_knn_train_biden_biden2.jpg"
CHIP = "fr_ex_biden.jpg"
SEED = 11


def start_shell(qtbot, tmp_path: Path, district_url: str, faces_dir: Path, camera_source: Path, models,
                encoder_pool, **face):
    from kiosk.assembly import assemble
    from kiosk.devices.factory import build_devices
    from kiosk.ui.app import build_window, make_application

    config = shell_config(tmp_path / "kiosk", district_url, simulated={"photo_file": str(faces_dir / CHIP)},
                          face=face)
    app = make_application(config)
    enroll_if_reachable(config)
    verifier = DlibFaceVerifier(OpenCvCamera(str(camera_source), fps=20), config.face, models=models,
                                pool=encoder_pool, rng=random.Random(SEED))
    devices = dataclasses.replace(build_devices(config), face=verifier)
    log = io.StringIO()
    terminal = assemble(config, devices=devices, log=EventLog(stream=log, path=tmp_path / "kiosk" / "logs" / "k.jsonl"))
    terminal.start()
    window = build_window(app, terminal, windowed=True)
    qtbot.addWidget(window)
    return window, terminal


def frames_folder(folder: Path, frames) -> Path:
    folder.mkdir()
    for i, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"{i:04d}.png"), frame)
    return folder


def test_citizen_doing_the_challenge_reaches_the_menu(qtbot, tmp_path, district, faces_dir, models,
                                                     encoder_pool, load_bgr):
    order = random_challenge(random.Random(SEED))
    camera = frames_folder(tmp_path / "camera", turn_sequence(models, load_bgr(LIVE), order, (640, 480)))
    window, terminal = start_shell(qtbot, tmp_path, district.url, faces_dir, camera, models, encoder_pool)
    try:
        screen = window.screens[State.VERIFYING_FACE]
        guidance: list[str] = []
        terminal.subscribe_face(lambda p: guidance.append(p.guidance))
        tap(qtbot, window, "start")
        wait_state(qtbot, window, State.VERIFYING_FACE)
        qtbot.waitUntil(lambda: screen.preview.pixmap() is not None and not screen.preview.pixmap().isNull(),
                        timeout=15000)
        wait_state(qtbot, window, State.MENU, timeout_ms=30000)
        assert terminal.session.face is not None and terminal.session.face.outcome.value == "match"
        assert terminal.session.face.liveness == "passed"
        first = "face.turn_left" if order[0] == "turn_left" else "face.turn_right"
        assert first in guidance and guidance.index(first) < len(guidance) - 1
    finally:
        terminal.close()
    data = tmp_path / "kiosk"
    images = [p for p in data.rglob("*") if p.suffix.lower() in {".png", ".jpg", ".jpeg", ".bmp", ".npy", ".jp2"}]
    assert images == []
    log_text = "".join(p.read_text() for p in data.rglob("*.jsonl"))
    assert "face-verify-complete" in log_text and max(len(line) for line in log_text.splitlines()) < 2000


def test_photo_held_up_falls_back_to_staff(qtbot, tmp_path, district, faces_dir, models, encoder_pool,
                                          load_bgr):
    still = tmp_path / "still.png"
    cv2.imwrite(str(still), fit_frame(load_bgr(LIVE), (640, 480)))
    window, terminal = start_shell(qtbot, tmp_path, district.url, faces_dir, still, models, encoder_pool,
                                   max_attempts=1, liveness_step_s=1.5)
    try:
        tap(qtbot, window, "start")
        wait_state(qtbot, window, State.VERIFYING_FACE)
        qtbot.waitUntil(lambda: terminal.session.face is not None, timeout=30000)
        session = terminal.session
        # The last attempt failed: staff are asked to verify the citizen in person (docs/assisted-verification.md).
        assert session.state is State.ASSISTED_VERIFICATION and session.face.outcome.value == "liveness_failed"
        assert session.staff_called and not session.can_retry
        qtbot.waitUntil(lambda: any("Staff" in t or "工作人员" in t for t in visible_texts(window)), timeout=5000)
    finally:
        terminal.close()
