"""Cameras: the interface. Frames are numpy arrays in BGR order (OpenCV's convention), height x width x 3."""

from __future__ import annotations

from enum import Enum
from typing import Any, Protocol


class CameraState(str, Enum):
    CLOSED = "closed"
    STREAMING = "streaming"
    UNAVAILABLE = "unavailable"  # unplugged or failing; `read()` keeps trying to reopen


class Camera(Protocol):
    @property
    def state(self) -> CameraState: ...

    def open(self) -> None:
        """Start capturing; raises CameraUnavailable when the device cannot be opened."""
        ...

    def read(self) -> Any | None:
        """The next frame (BGR ndarray), or None when none is available right now."""
        ...

    def close(self) -> None:
        """Release the device; idempotent."""
        ...
