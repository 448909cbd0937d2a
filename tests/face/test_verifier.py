"""The real verifier end to end with in-memory cameras: challenge sequences built from real photos by warps."""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import numpy as np
import pytest

from contract.eventlog import EventLog
from kiosk.config import FaceConfig
from kiosk.core.face_decision import FaceOutcome
from kiosk.devices.camera.sequence import SequenceCamera
from kiosk.devices.camera.still import StillCamera
from kiosk.devices.face import FaceProgress
from kiosk.devices.face import guidance as g
from kiosk.devices.face.dlib_verifier import DlibFaceVerifier
from kiosk.devices.face.liveness import LivenessSettings, random_challenge
from kiosk.devices.face.synthetic_turns import fit_frame, handheld_photo_sequence, turn_sequence
from kiosk.errors import CameraUnavailable, FaceError, NoFaceFound

LIVE = "fr_knn_train_biden_biden2.jpg"  # the citizen at the camera
CHIP_SAME = "fr_ex_biden.jpg"  # another photo of the same person: the chip photo
CHIP_OTHER = "fr_ex_obama.jpg"
SWAP_IN = "dlib_johns_John_Schneider_000288_00925786.jpg"  # neutral yaw close to LIVE's
SWAP_IN_CHIP = "dlib_johns_John_Schneider_000302_00925785.jpg"
SEED = 7


@pytest.fixture(scope="module")
def order() -> list[str]:
    return random_challenge(random.Random(SEED))  # what the verifier will ask with rng=Random(SEED)


@pytest.fixture(scope="module")
def sequence(models, load_bgr, order) -> list[np.ndarray]:
    return turn_sequence(models, load_bgr(LIVE), order, (640, 480))


@pytest.fixture()
def make_verifier(models, encoder_pool):
    made: list[DlibFaceVerifier] = []

    def make(camera, events=None, settings=None, camera_grace_s=2.0, attempt_timeout_s=30.0,
             **config) -> DlibFaceVerifier:
        v = DlibFaceVerifier(camera, FaceConfig(**config), events=events, liveness=settings,
                             attempt_timeout_s=attempt_timeout_s, camera_grace_s=camera_grace_s,
                             rng=random.Random(SEED), models=models, pool=encoder_pool)
        made.append(v)
        return v

    yield make
    for v in made:
        v.wipe()


def photo(faces_dir: Path, name: str) -> bytes:
    return (faces_dir / name).read_bytes()


def run(verifier) -> tuple[object, list[FaceProgress]]:
    progress: list[FaceProgress] = []
    return verifier.verify(threading.Event(), progress.append), progress


def test_challenge_performed_by_the_holder_matches(make_verifier, sequence, faces_dir, order):
    v = make_verifier(SequenceCamera(sequence))
    v.prepare(photo(faces_dir, CHIP_SAME))
    decision, progress = run(v)
    assert decision.outcome == FaceOutcome.MATCH, decision
    assert decision.liveness == "passed" and decision.distance <= decision.threshold == FaceConfig().threshold
    keys = [p.guidance for p in progress]
    first_turn = g.TURN_LEFT if order[0] == "turn_left" else g.TURN_RIGHT
    assert first_turn in keys and keys[-1] == g.HOLD_STILL
    assert all(p.frame is not None for p in progress) and any(p.face_box for p in progress)
    assert v.last_decision_ms is not None


def test_challenge_performed_by_someone_else_is_a_mismatch(make_verifier, sequence, faces_dir):
    v = make_verifier(SequenceCamera(sequence))
    v.prepare(photo(faces_dir, CHIP_OTHER))
    decision, _ = run(v)
    assert decision.outcome == FaceOutcome.MISMATCH and decision.liveness == "passed"
    assert decision.distance > FaceConfig().threshold + FaceConfig().retry_band


def test_still_image_is_rejected(make_verifier, load_bgr, faces_dir):
    frame = fit_frame(load_bgr(LIVE), (640, 480))
    settings = LivenessSettings(step_timeout_s=1.5)
    v = make_verifier(StillCamera(frame, fps=20), settings=settings, max_attempts=2)
    v.prepare(photo(faces_dir, CHIP_SAME))
    first, progress = run(v)
    assert first.outcome == FaceOutcome.RETRY and first.liveness == "failed"
    assert {g.TURN_LEFT, g.TURN_RIGHT} & {p.guidance for p in progress}
    v.prepare(photo(faces_dir, CHIP_SAME))  # the shell prepares again before a retry: the count goes on
    last, _ = run(v)
    assert last.outcome == FaceOutcome.LIVENESS_FAILED and last.distance is None


@pytest.mark.parametrize("name", [LIVE, CHIP_OTHER])
def test_photo_held_up_and_swung_is_rejected(make_verifier, load_bgr, faces_dir, name):
    """A print turned about a vertical axis, shaken, with noise: flat geometry must not pass for a head turn."""
    frames = handheld_photo_sequence(load_bgr(name), (640, 480), count=60, seed=3)
    v = make_verifier(SequenceCamera(frames, fps=20, realtime=True, loop=True),
                      settings=LivenessSettings(step_timeout_s=3.0), max_attempts=1)
    v.prepare(photo(faces_dir, name))  # even the photo's own image as the reference
    decision, _ = run(v)
    assert decision.outcome == FaceOutcome.LIVENESS_FAILED, decision


def test_recorded_challenge_in_the_wrong_order_is_rejected(make_verifier, models, load_bgr, faces_dir, order):
    replay = turn_sequence(models, load_bgr(LIVE), list(reversed(order)), (640, 480))
    v = make_verifier(SequenceCamera(replay, loop=True), max_attempts=1)
    v.prepare(photo(faces_dir, CHIP_SAME))
    decision, _ = run(v)
    assert decision.outcome == FaceOutcome.LIVENESS_FAILED and decision.detail == "wrong_direction"


def test_face_swapped_after_the_challenge_is_not_matched(make_verifier, models, sequence, load_bgr, faces_dir):
    """Someone does the challenge, then the holder's photo is put in front of the lens at the same place."""
    holder = fit_frame(load_bgr(CHIP_OTHER), (640, 480))
    # turn_sequence: 6 frontal, then per turn 4 ramp + 6 held + 4 back + 6 frontal; swap while turning back
    swapped = sequence[:6 + 20 + 12] + [holder] * 30
    v = make_verifier(SequenceCamera(swapped), max_attempts=1, attempt_timeout_s=4.0)
    v.prepare(photo(faces_dir, CHIP_OTHER))
    decision, _ = run(v)
    assert decision.outcome != FaceOutcome.MATCH
    assert decision.outcome == FaceOutcome.LIVENESS_FAILED, decision


def test_camera_unavailable(make_verifier, faces_dir):
    class Unplugged:
        state = None

        def open(self):
            raise CameraUnavailable("no device")

        def read(self):
            return None

        def close(self):
            pass

    v = make_verifier(Unplugged(), camera_grace_s=0.3)
    v.prepare(photo(faces_dir, CHIP_SAME))
    decision, progress = run(v)
    assert decision.outcome == FaceOutcome.CAMERA_UNAVAILABLE
    assert progress and progress[0].guidance == g.CAMERA_UNAVAILABLE


def test_cancel(make_verifier, load_bgr, faces_dir):
    frame = fit_frame(load_bgr(LIVE), (640, 480))
    v = make_verifier(StillCamera(frame, fps=20))
    v.prepare(photo(faces_dir, CHIP_SAME))
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    assert v.verify(cancel, lambda _p: None).outcome == FaceOutcome.CANCELLED


def test_reference_without_face_and_wipe(make_verifier, faces_dir, sequence):
    v = make_verifier(SequenceCamera(sequence))
    with pytest.raises(NoFaceFound):
        v.prepare(photo(faces_dir, "dlib_faces_dogs.jpg"))
    v.prepare(photo(faces_dir, CHIP_SAME))
    v.wipe()
    with pytest.raises(FaceError):
        v.verify(threading.Event(), lambda _p: None)


def test_no_biometric_data_on_disk_or_in_logs(make_verifier, sequence, faces_dir, tmp_path):
    data = tmp_path / "data"
    log_path = data / "logs" / "kiosk.jsonl"
    events = EventLog(path=log_path)
    before = {p for p in Path("/tmp").glob("*")}
    v = make_verifier(SequenceCamera(sequence), events=events)
    v.prepare(photo(faces_dir, CHIP_SAME))
    decision, _ = run(v)
    v.wipe()
    events.close()
    assert decision.outcome == FaceOutcome.MATCH
    files = [p for p in data.rglob("*") if p.is_file()]
    assert files == [log_path]  # the log is the only thing written
    records = [json.loads(line) for line in log_path.read_text().splitlines()]
    allowed = {"ts", "event", "kind", "component", "attempt", "liveness", "outcome", "distance", "threshold",
               "detail", "ms", "state", "repeat"}
    assert {k for r in records for k in r} <= allowed
    done = [r for r in records if r["event"] == "face-verify-complete"]
    assert done and done[0]["outcome"] == "match" and isinstance(done[0]["distance"], float)
    assert max(len(line) for line in log_path.read_text().splitlines()) < 400  # no arrays in any line
    new = {p for p in Path("/tmp").glob("*")} - before
    assert not [p for p in new if p.suffix.lower() in {".jpg", ".png", ".npy", ".bmp", ".jp2"}]


def test_face_swapped_in_place_is_caught_by_identity_check(make_verifier, models, sequence, load_bgr, faces_dir):
    """The same attack, with the other face aligned onto the tracked one so that the track does not break.

    The swapped-in face has about the citizen's neutral yaw, so the challenge completes on it: the captures of the
    track then disagree with each other and the attempt fails instead of matching the holder.
    """
    import cv2

    def five_points(frame):
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        return models.landmarks(gray, models.detect(gray, 0)[0])

    other = fit_frame(load_bgr(SWAP_IN), (640, 480))
    matrix, _ = cv2.estimateAffinePartial2D(five_points(other).astype(np.float32),
                                            five_points(sequence[0]).astype(np.float32))
    aligned = cv2.warpAffine(other, matrix, (640, 480), borderMode=cv2.BORDER_REPLICATE)
    swapped = sequence[:6 + 20 + 12] + [aligned] * 30
    v = make_verifier(SequenceCamera(swapped), max_attempts=1, attempt_timeout_s=4.0)
    v.prepare(photo(faces_dir, SWAP_IN_CHIP))
    decision, _ = run(v)
    assert decision.outcome == FaceOutcome.LIVENESS_FAILED and decision.detail == "identity_changed", decision


def test_a_dead_encoder_worker_costs_one_attempt_not_the_session(models, sequence, faces_dir):
    import os
    import signal

    from kiosk.devices.face.encoder_pool import EncoderPool

    pool = EncoderPool(workers=1)
    try:
        v = DlibFaceVerifier(SequenceCamera(sequence), FaceConfig(), models=models, pool=pool,
                             rng=random.Random(SEED))
        v.prepare(photo(faces_dir, CHIP_SAME))
        submit = pool.submit

        def submit_then_kill(*args, **kw):  # the worker dies while it holds the first capture
            future = submit(*args, **kw)
            if pool.submit is submit_then_kill:
                pool.submit = submit
                for pid in pool.worker_pids():
                    os.kill(pid, signal.SIGKILL)
            return future

        pool.submit = submit_then_kill
        first, _ = run(v)
        assert first.outcome == FaceOutcome.RETRY and first.detail == "encoder_failed"
        v._rng = random.Random(SEED)  # the next attempt asks for the same turns as the recorded sequence
        second, _ = run(v)
        assert second.outcome == FaceOutcome.MATCH
    finally:
        pool.close()


def test_device_factory_builds_the_real_check(tmp_path):
    from kiosk.config import load_config
    from kiosk.devices.camera.opencv import OpenCvCamera
    from kiosk.devices.factory import build_devices

    config = load_config(None, {"terminal": {"data_dir": str(tmp_path)}, "ui": {"voice": False},
                                "devices": {"face": "dlib", "camera": "opencv"},
                                "face": {"camera_source": str(tmp_path)}})
    devices = build_devices(config)
    assert isinstance(devices.face, DlibFaceVerifier) and isinstance(devices.face._camera, OpenCvCamera)
    assert devices.face.config.threshold == FaceConfig().threshold


def test_unguarded_script_gets_a_typed_error_not_a_hang(tmp_path):
    """Encoder workers are spawned: a script without a main guard cannot start them, and is told so."""
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "import numpy as np\n"
        "from kiosk.config import FaceConfig\n"
        "from kiosk.devices.camera.still import StillCamera\n"
        "from kiosk.devices.face.dlib_verifier import DlibFaceVerifier\n"
        "from kiosk.errors import FaceError\n"
        "v = DlibFaceVerifier(StillCamera(np.zeros((4, 4, 3), np.uint8)), FaceConfig())\n"
        "try:\n"
        "    v.warm_up()\n"
        "    print('started')\n"
        "except FaceError:\n"
        "    print('face-error')\n")
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=repo,
                          env={**__import__("os").environ, "PYTHONPATH": str(repo)})
    assert proc.stdout.strip().splitlines()[-1] == "face-error", proc.stdout + proc.stderr
