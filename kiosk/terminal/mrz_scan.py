"""Looking for the printed MRZ under the camera while the citizen may also type it in.

Runs on a worker thread; frames go to the preview listeners, and OCR is tried at most four times a second
(it costs 20–120 ms per frame, the preview must stay fluid).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.core.identity import AccessKey
from kiosk.devices.camera import Camera
from kiosk.devices.document import MrzReader
from kiosk.errors import MalformedCardData, MrzUnreadable

OCR_INTERVAL_S = 0.25


def scan_for_mrz(camera: Camera, reader: MrzReader, cancel: threading.Event, still_wanted: Callable[[], bool],
                 on_frame: Callable[[Any], None]) -> AccessKey | None:
    """Read frames until an MRZ passes its check digits (its access key), or until `cancel` is set or the session
    no longer wants it (None). The camera is opened here and closed before returning: the face check opens it
    next. Raises the camera's KioskError when it cannot be opened."""
    camera.open()
    next_try = 0.0
    try:
        while not cancel.is_set() and still_wanted():
            frame = camera.read()
            if frame is None:
                cancel.wait(0.05)
                continue
            on_frame(frame)
            if time.monotonic() < next_try:
                continue
            next_try = time.monotonic() + OCR_INTERVAL_S
            try:
                return reader.read_access_key(frame)
            except (MrzUnreadable, MalformedCardData):
                continue
        return None
    finally:
        camera.close()
