"""The camera's health: frames arriving, their rate and brightness; externally, whether a face is found.

Frames are looked at in memory and dropped (no image is written anywhere). Brightness is the mean of the frame's
pixels (0-255): the exposure as the face check sees it, whatever the driver's exposure setting claims.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kiosk.devices.camera import Camera, CameraState
from kiosk.devices.health import DeviceStatus, Level
from kiosk.devices.status_ids import device_status
from kiosk.errors import CameraUnavailable

DEVICE = "camera"


class CameraHealth:
    """HealthCheck of a camera; `open_camera` builds it (the check opens and closes its own instance)."""

    device = DEVICE

    def __init__(self, open_camera: Callable[[], Camera], source: str, sample_s: float = 1.0,
                 min_fps: float = 8.0, min_brightness: float = 40.0,
                 find_faces: Callable[[Any], int] | None = None) -> None:
        self._open_camera = open_camera
        self._source = source
        self._sample_s = sample_s
        self._min_fps = min_fps
        self._min_brightness = min_brightness
        self._find_faces = find_faces or _dlib_face_count

    def check(self, level: Level) -> DeviceStatus:
        facts: dict[str, Any] = {"source": self._source}
        try:
            camera = self._open_camera()
            camera.open()
        except CameraUnavailable as exc:
            return device_status(DEVICE, "CAM-UNAVAILABLE", f"camera {self._source}: {exc.detail}", facts=facts)
        try:
            frames, last, elapsed = self._sample(camera)
            lost = camera.state is CameraState.UNAVAILABLE  # went away while sampling
        finally:
            camera.close()
        if lost:
            return device_status(DEVICE, "CAM-UNAVAILABLE", f"camera {self._source}: lost while sampling frames",
                                 facts=facts)
        if last is None:
            return device_status(DEVICE, "CAM-UNAVAILABLE",
                                 f"camera {self._source}: no frame within {self._sample_s + 1.0:.1f} s", facts=facts)
        fps = frames / elapsed if elapsed > 0 else 0.0
        brightness = float(last.mean())
        height, width = last.shape[:2]
        facts.update(fps=round(fps, 1), brightness=round(brightness, 1), width=int(width), height=int(height))
        said = f"camera {self._source}: {width}x{height}, {fps:.1f} frames/s, brightness {brightness:.0f}/255"
        if fps < self._min_fps:
            return device_status(DEVICE, "CAM-LOW-FPS", said, facts=facts)
        if brightness < self._min_brightness:
            return device_status(DEVICE, "CAM-DARK", said, facts=facts)
        if level is Level.EXTERNAL:
            faces = self._find_faces(last)
            facts["faces"] = faces
            if not faces:
                return device_status(DEVICE, "CAM-NO-FACE", f"{said}, no face found", facts=facts)
            said += f", {faces} face(s) found"
        return device_status(DEVICE, "CAM-OK", said, facts=facts)

    def _sample(self, camera: Camera) -> tuple[int, Any | None, float]:
        """Frames read during `sample_s` after the first one (waiting up to a second for that first one)."""
        deadline = time.monotonic() + 1.0
        last = None
        while last is None and time.monotonic() < deadline:
            last = camera.read()
        if last is None:
            return 0, None, 0.0
        started = time.monotonic()
        frames = 0
        while time.monotonic() - started < self._sample_s:
            frame = camera.read()
            if frame is not None:
                frames += 1
                last = frame
        return frames, last, time.monotonic() - started


def _dlib_face_count(frame: Any) -> int:
    """Faces found by dlib's HOG detector (the one the face check uses) in a BGR frame."""
    from kiosk.devices.face.dlib_models import load_models

    models = load_models(with_encoder=False)
    return len(models.detect(frame[:, :, ::-1].copy()))


class CameraNotFittedHealth:
    """No camera configured (the demo's simulated face check needs none)."""

    device = DEVICE

    def check(self, level: Level) -> DeviceStatus:
        return device_status(DEVICE, "CAM-NOT-FITTED", "no camera configured (simulated face check)")
