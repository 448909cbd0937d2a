"""The real face check: camera frames -> quality gate -> liveness challenge on one tracked face -> 1:1 match.

`prepare()` encodes the chip photo right after the document is read and warms up the encoder workers, so the
citizen never waits for either. During the challenge, frontal frames of the tracked face are encoded in worker
processes while the citizen keeps moving; when the last step ends only the final frame remains to encode, which
keeps the decision within ~300 ms on 2 cores. The decision fuses the captured frames: the mean of their
distances to the chip photo, against the single-comparison threshold (why this rule: docs/face-threshold.md). Frames,
crops and encodings live only in this object's memory and
in the workers' pipes: nothing is written to disk or logged, and `wipe()` drops them. The audit log receives only
the outcome, the distance and the liveness result.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from contract.eventlog import EventLog, NullEventLog
from contract.log_events import Event
from kiosk.config import FaceConfig
from kiosk.core.face_decision import FaceDecision, FaceOutcome
from kiosk.devices.camera import Camera, CameraState
from kiosk.devices.face import FaceProgress
from kiosk.devices.face import guidance as g
from kiosk.devices.face.dlib_models import FaceModels, load_models
from kiosk.devices.face.encoder_pool import EncoderPool
from kiosk.devices.face.liveness import (
    ChallengeTracker,
    LivenessSettings,
    LivenessUpdate,
    random_challenge,
)
from kiosk.devices.face.photo import decode_image, encode_photo, face_distance
from kiosk.devices.face.quality_gate import (
    Box,
    GateResult,
    GateThresholds,
    QualityGate,
    iou,
)
from kiosk.errors import CameraUnavailable, FaceError, NoFaceFound

FULL_SCAN_EVERY = 6  # tracked frames between full-frame scans (a second person must not go unnoticed)
MAX_MISSES = 5  # frames without the tracked face before the track is considered lost
SAME_PERSON = 0.5  # captured frames of one track farther apart than this are not the same face
CAPTURES_WITHOUT_LIVENESS = 3


def continues(previous: Box, box: Box) -> bool:
    """Whether `box` can be the same face as `previous` one frame later (overlap, or a small move)."""
    if iou(previous, box) >= 0.3:
        return True
    pw, bw = previous[2] - previous[0], box[2] - box[0]
    dx = (box[0] + box[2] - previous[0] - previous[2]) / 2
    dy = (box[1] + box[3] - previous[1] - previous[3]) / 2
    return (dx * dx + dy * dy) ** 0.5 <= 0.35 * pw and 0.7 <= bw / max(1, pw) <= 1.4


class DlibFaceVerifier:
    """FaceVerifier with dlib models, an OpenCV (or any) camera, a head-turn challenge and worker encoders.

    The camera is opened at the start of each verify() and closed at its end (the camera light is off between
    citizens). Models and workers are loaded on first use (`warm_up()`, or `prepare()`), not at construction,
    so an idle terminal does not carry them.
    """

    def __init__(self, camera: Camera, config: FaceConfig, events: EventLog | None = None,
                 liveness: LivenessSettings | None = None, attempt_timeout_s: float = 30.0,
                 camera_grace_s: float = 5.0, workers: int = 2, rng: random.Random | None = None,
                 models: FaceModels | None = None, pool: EncoderPool | None = None) -> None:
        self.config = config
        self._camera = camera
        self._events = events or NullEventLog()
        self._liveness = liveness or LivenessSettings(step_timeout_s=config.liveness_step_s)
        self._attempt_timeout_s = attempt_timeout_s
        self._camera_grace_s = camera_grace_s
        self._rng = rng
        self._models = models
        self._gate: QualityGate | None = None
        self._pool = pool or EncoderPool(workers)
        self._reference: np.ndarray | None = None
        self._reference_digest = b""  # which photo the reference came from (memory only, wiped with it)
        self._attempts = 0
        self._lock = threading.Lock()
        self.last_decision_ms: float | None = None  # time from the challenge's last frame to the decision

    # -- set-up ----------------------------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Load the models and start the encoder workers (done by prepare() when not done before)."""
        if self._models is None:
            self._models = load_models()
        if self._gate is None:
            self._gate = QualityGate(self._models, GateThresholds(min_face_px=self.config.min_face_px))
        try:
            self._pool.start()
        except (BrokenProcessPool, OSError) as exc:
            # e.g. a script without an `if __name__ == "__main__":` guard cannot spawn workers
            self._pool.close()
            raise FaceError(f"face encoder workers could not start: {exc}") from exc

    @property
    def attempts_left(self) -> int:
        return max(0, self.config.max_attempts - self._attempts)

    def prepare(self, reference_photo: bytes) -> None:
        """Decode and encode the chip photo (largest face); raise NoFaceFound when it holds no face.

        Preparing the same photo again (the shell does so before each retry) keeps the encoding and the attempt
        count, so the last allowed attempt reports LIVENESS_FAILED / NO_FACE / MISMATCH rather than RETRY.
        """
        digest = hashlib.sha256(reference_photo).digest()
        if self._reference is not None and digest == self._reference_digest:
            return
        self.warm_up()
        assert self._models is not None
        faces = encode_photo(self._models, decode_image(reference_photo))
        if not faces:
            raise NoFaceFound("no face in the reference photo")
        with self._lock:
            self._reference = faces[0].encoding
            self._reference_digest = digest
            self._attempts = 0

    def wipe(self) -> None:
        """Forget the reference encoding and the attempt count (frames never outlive verify())."""
        with self._lock:
            self._reference = None
            self._reference_digest = b""
            self._attempts = 0
            self.last_decision_ms = None

    def close(self) -> None:
        """Wipe and stop the encoder workers."""
        self.wipe()
        self._pool.close()

    # -- the check -------------------------------------------------------------------------------------------
    def verify(self, cancel: threading.Event, on_progress: Callable[[FaceProgress], None]) -> FaceDecision:
        """One attempt: open the camera, run gate + challenge + match, close the camera. Blocks.

        Outcomes: MATCH; MISMATCH; RETRY (distance in the retry band, challenge failed or no usable face, while
        attempts remain); LIVENESS_FAILED / NO_FACE once the attempts are used up; CAMERA_UNAVAILABLE; CANCELLED.
        """
        if self._reference is None:
            raise FaceError("verify() before prepare()")
        self.warm_up()
        self._attempts += 1
        started = time.monotonic()
        self._events.log(Event.FACE_VERIFY_INIT, attempt=self._attempts, liveness=self.config.liveness)
        try:
            decision = self._attempt(cancel, on_progress)
        except CameraUnavailable as exc:
            decision = FaceDecision(FaceOutcome.CAMERA_UNAVAILABLE, detail=str(exc))
        except (BrokenProcessPool, TimeoutError):
            # an encoder worker died or hung: restart the pool for the next attempt, never crash the session
            self._pool.close()
            decision = self._give_up("encoder_failed", False)
        self._events.log(Event.FACE_VERIFY_COMPLETE, outcome=decision.outcome.value,
                         distance=None if decision.distance is None else round(decision.distance, 4),
                         threshold=decision.threshold, liveness=decision.liveness, detail=decision.detail,
                         attempt=self._attempts, ms=int((time.monotonic() - started) * 1000))
        return decision

    def _open_camera(self, cancel: threading.Event, on_progress: Callable[[FaceProgress], None]) -> Camera:
        deadline = time.monotonic() + self._camera_grace_s
        camera = self._camera
        while True:
            try:
                camera.open()
                self._events.log(Event.CAMERA_STATE, state=camera.state.value)
                return camera
            except CameraUnavailable:
                camera.close()
                self._events.log(Event.CAMERA_STATE, state=CameraState.UNAVAILABLE.value)
                if time.monotonic() > deadline or cancel.is_set():
                    raise
                on_progress(FaceProgress(g.CAMERA_UNAVAILABLE))
                cancel.wait(0.5)

    def _attempt(self, cancel: threading.Event, on_progress: Callable[[FaceProgress], None]) -> FaceDecision:
        camera = self._open_camera(cancel, on_progress)
        try:
            return self._run(camera, cancel, on_progress)
        finally:
            camera.close()

    def _run(self, camera: Camera, cancel: threading.Event,
             on_progress: Callable[[FaceProgress], None]) -> FaceDecision:
        assert self._gate is not None
        tracker = ChallengeTracker(random_challenge(self._rng), self._liveness) if self.config.liveness else None
        track: Box | None = None
        misses = 0
        frame_no = 0
        ever_tracked = False
        captures: list[Future] = []
        start = time.monotonic()
        unavailable_since: float | None = None
        last_state = camera.state
        while True:
            if cancel.is_set():
                return FaceDecision(FaceOutcome.CANCELLED, threshold=self.config.threshold)
            now = time.monotonic()
            if now - start > self._attempt_timeout_s:
                return self._give_up("liveness_timeout" if ever_tracked else "no_face", ever_tracked)
            frame = camera.read()
            if camera.state != last_state:
                last_state = camera.state
                self._events.log(Event.CAMERA_STATE, state=last_state.value)
            if frame is None:
                if camera.state == CameraState.UNAVAILABLE:
                    unavailable_since = unavailable_since or now
                    on_progress(FaceProgress(g.CAMERA_UNAVAILABLE))
                    if now - unavailable_since > self._camera_grace_s:
                        return FaceDecision(FaceOutcome.CAMERA_UNAVAILABLE, threshold=self.config.threshold,
                                            detail="camera unavailable during the check")
                continue
            read_at = time.monotonic()
            unavailable_since = None
            frame_no += 1
            gate = self._gate.check(frame, near=track, full_scan=track is None or frame_no % FULL_SCAN_EVERY == 0)
            if gate.faces == 1 and gate.face is not None:
                if track is not None and not continues(track, gate.face.box):
                    track = None  # another face took its place: start over
                if track is None:
                    self._drop(captures)
                    if tracker is not None:
                        tracker.reset()
                track, misses, ever_tracked = gate.face.box, 0, True
            else:
                misses += 1
                if track is not None and (gate.faces > 1 or misses > MAX_MISSES):
                    track = None
                    self._drop(captures)
                    if tracker is not None:
                        tracker.reset()
            update = self._step(tracker, gate, track is not None, len(captures), frame_no, read_at)
            if update.capture and gate.face is not None:
                captures.append(self._pool.submit(frame[:, :, ::-1], gate.face.box, gate.face.landmarks))
            on_progress(FaceProgress(update.guidance, frame=frame, face_box=gate.face.box if gate.face else None,
                                     step=update.step, steps=update.steps))
            if update.failed:
                self._drop(captures)
                return self._give_up(update.failed, True)
            if update.done:
                decision = self._decide(captures, liveness="passed" if tracker is not None else "not_run")
                self.last_decision_ms = (time.monotonic() - read_at) * 1000
                return decision

    def _step(self, tracker: ChallengeTracker | None, gate: GateResult, tracked: bool, captured: int,
              frame_no: int, now: float) -> LivenessUpdate:
        if not tracked:
            return LivenessUpdate(guidance=gate.guidance)
        if tracker is not None:
            return tracker.update(gate, now)
        # liveness disabled: a few frontal frames, a few frames apart
        capture = gate.passed and frame_no % 3 == 0
        done = capture and captured + 1 >= CAPTURES_WITHOUT_LIVENESS
        return LivenessUpdate(guidance=g.HOLD_STILL if done else gate.guidance, capture=capture, done=done)

    @staticmethod
    def _drop(captures: list[Future]) -> None:
        for f in captures:
            f.cancel()
        captures.clear()

    def _give_up(self, reason: str, tracked: bool) -> FaceDecision:
        liveness = "failed" if tracked and self.config.liveness else "not_run"
        if self.attempts_left > 0:
            return FaceDecision(FaceOutcome.RETRY, threshold=self.config.threshold, liveness=liveness, detail=reason)
        outcome = FaceOutcome.LIVENESS_FAILED if liveness == "failed" else FaceOutcome.NO_FACE
        return FaceDecision(outcome, threshold=self.config.threshold, liveness=liveness, detail=reason)

    def _decide(self, captures: list[Future], liveness: str) -> FaceDecision:
        reference = self._reference
        if reference is None:
            return FaceDecision(FaceOutcome.CANCELLED, detail="wiped during the check")
        encodings = [f.result(timeout=10) for f in captures]
        captures.clear()
        for i, a in enumerate(encodings):
            for b in encodings[i + 1:]:
                if face_distance(a, b) > SAME_PERSON:
                    # the frames of the track are not one person: a swap during the challenge
                    return FaceDecision(FaceOutcome.LIVENESS_FAILED, threshold=self.config.threshold,
                                        liveness="failed", detail="identity_changed")
        # mean distance at the single-frame threshold: as safe as one frame when the frames are alike, fewer false
        # rejects (and accepts) when they differ (docs/face-threshold.md, "mirror+frames-mean@1")
        distance = statistics.fmean(face_distance(e, reference) for e in encodings)
        th, band = self.config.threshold, self.config.retry_band
        if distance <= th:
            outcome, detail = FaceOutcome.MATCH, ""
        elif distance <= th + band and self.attempts_left > 0:
            outcome, detail = FaceOutcome.RETRY, "retry_band"
        else:
            outcome, detail = FaceOutcome.MISMATCH, "" if distance > th + band else "attempts_exhausted"
        return FaceDecision(outcome, distance=distance, threshold=th, liveness=liveness, detail=detail)
