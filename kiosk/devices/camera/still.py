"""A camera that shows one image over and over at a fixed frame rate (the demo portrait, still-image attacks)."""

from __future__ import annotations

import threading
import time
from typing import Any

from kiosk.devices.camera import CameraState


class StillCamera:
    """Plays one BGR frame at `fps`; `read()` waits for the next tick (at most one frame interval)."""

    def __init__(self, frame: Any, fps: float = 20.0) -> None:
        self._frame = frame
        self._interval = 1.0 / fps
        self._state = CameraState.CLOSED
        self._next = 0.0
        self._lock = threading.Lock()

    @property
    def state(self) -> CameraState:
        return self._state

    def open(self) -> None:
        """Start playing; never fails."""
        self._state = CameraState.STREAMING
        self._next = time.monotonic()

    def read(self) -> Any | None:
        """A copy of the image at the next tick, or None when closed."""
        if self._state != CameraState.STREAMING:
            return None
        with self._lock:
            delay = self._next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next = max(self._next + self._interval, time.monotonic() - self._interval)
        return self._frame.copy()

    def close(self) -> None:
        """Stop; idempotent."""
        self._state = CameraState.CLOSED
