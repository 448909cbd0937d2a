"""Face verification: the interface and its decision value.

`prepare(photo)` encodes the chip photo as soon as the document is read (while the citizen is still being
guided); `verify()` runs the camera-side checks (quality gate, liveness challenge, matching) and reports guidance
through `on_progress` from its worker thread. No frame, crop or encoding ever leaves memory; `wipe()` drops them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.core.face_decision import FaceDecision, FaceOutcome  # noqa: F401 - the Protocol speaks in them


@dataclass(frozen=True)
class FaceProgress:
    """One update for the VerifyingFace screen: a guidance key (translated by the UI) and an optional frame."""

    guidance: str  # e.g. "face.move_closer", "face.turn_left", "face.blink", "face.hold_still"
    frame: Any | None = None  # BGR ndarray for the live preview (never stored)
    face_box: tuple[int, int, int, int] | None = None  # left, top, right, bottom in frame pixels
    step: int = 0
    steps: int = 0


class FaceVerifier(Protocol):
    def prepare(self, reference_photo: bytes) -> None:
        """Decode and encode the chip photo; raise NoFaceFound when it holds no face."""
        ...

    def verify(self, cancel: threading.Event, on_progress: Callable[[FaceProgress], None]) -> FaceDecision:
        """Run the live check against the prepared reference. Blocks; call it off the GUI thread."""
        ...

    def wipe(self) -> None:
        """Forget the reference encoding and every frame; called when the session ends."""
        ...
