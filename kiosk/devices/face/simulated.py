"""A face verifier that pretends: for the demo and the UI tests, when no real camera is configured.

It shows a preview (frames from a Camera if one is given, otherwise the chip photo itself), walks through the
same guidance steps as the real verifier, and decides what the configuration says (match by default).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.core.face_decision import FaceDecision, FaceOutcome
from kiosk.devices.camera import Camera
from kiosk.devices.face import FaceProgress
from kiosk.errors import ConfigError

STEPS = ("face.look_at_camera", "face.turn_left", "face.turn_right", "face.hold_still")
OUTCOMES = {"match": FaceOutcome.MATCH, "mismatch": FaceOutcome.MISMATCH, "no-face": FaceOutcome.NO_FACE}


class SimulatedFaceVerifier:
    def __init__(self, duration_s: float = 1.5, result: str = "match", camera: Camera | None = None,
                 threshold: float = 0.45) -> None:
        if result not in OUTCOMES:  # a typo must never turn into MATCH
            raise ConfigError(f"[simulated] face_result must be one of {' | '.join(OUTCOMES)}, got {result!r}")
        self._duration = duration_s
        self._outcome = OUTCOMES[result]
        self._camera = camera
        self._threshold = threshold
        self._reference_frame: Any | None = None

    def prepare(self, reference_photo: bytes) -> None:
        self._reference_frame = _decode(reference_photo) if self._camera is None else None

    def verify(self, cancel: threading.Event, on_progress: Callable[[FaceProgress], None]) -> FaceDecision:
        if self._camera is not None:
            self._camera.open()
        try:
            per_step = self._duration / len(STEPS)
            for n, key in enumerate(STEPS, start=1):
                deadline = time.monotonic() + per_step
                while time.monotonic() < deadline:
                    if cancel.is_set():
                        return FaceDecision(FaceOutcome.CANCELLED)
                    frame = self._camera.read() if self._camera is not None else self._reference_frame
                    on_progress(FaceProgress(guidance=key, frame=frame, step=n, steps=len(STEPS)))
                    cancel.wait(1 / 15)
        finally:
            if self._camera is not None:
                self._camera.close()
        outcome = self._outcome
        distance = 0.31 if outcome is FaceOutcome.MATCH else 0.72
        return FaceDecision(outcome, distance if outcome is not FaceOutcome.NO_FACE else None, self._threshold,
                            liveness="simulated", detail="simulated verifier")

    def wipe(self) -> None:
        self._reference_frame = None


def _decode(photo: bytes) -> Any | None:
    """The photo as a BGR array for the preview (numpy + Pillow, no OpenCV needed)."""
    try:
        import io

        import numpy as np
        from PIL import Image

        rgb = np.asarray(Image.open(io.BytesIO(photo)).convert("RGB"))
        return np.ascontiguousarray(rgb[:, :, ::-1])
    except Exception:  # noqa: BLE001 - a preview is optional
        return None
