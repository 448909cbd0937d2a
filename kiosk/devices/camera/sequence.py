"""A camera playing a list of in-memory frames (synthetic challenge sequences in tests, benchmarks, demos)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from kiosk.devices.camera import CameraState


class SequenceCamera:
    """Plays `frames` in order. `realtime`: paced at `fps`; otherwise each read() returns the next frame at once,
    so a slow machine sees every frame (deterministic tests). After the last frame: loop, or None forever."""

    def __init__(self, frames: Sequence[Any], fps: float = 20.0, realtime: bool = False, loop: bool = False) -> None:
        self._frames = frames
        self._interval = 1.0 / fps
        self._realtime = realtime
        self._loop = loop
        self._index = 0
        self._next = 0.0
        self._state = CameraState.CLOSED

    @property
    def state(self) -> CameraState:
        return self._state

    def open(self) -> None:
        """Start from the first frame."""
        self._index = 0
        self._next = time.monotonic()
        self._state = CameraState.STREAMING

    def read(self) -> Any | None:
        """The next frame, or None when closed or past the end of a non-looping sequence."""
        if self._state != CameraState.STREAMING or not self._frames:
            return None
        if self._index >= len(self._frames):
            if not self._loop:
                time.sleep(self._interval)
                return None
            self._index = 0
        if self._realtime:
            delay = self._next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next = max(self._next + self._interval, time.monotonic() - self._interval)
        frame = self._frames[self._index]
        self._index += 1
        return frame

    def close(self) -> None:
        """Stop; idempotent."""
        self._state = CameraState.CLOSED
