"""What the technicians' screens look at live, beside the recorded checks: a face box on camera frames and the
A4 queue's jobs. Device code stays in this package; the terminal's technicians' mode calls it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.config import Config


def face_finder() -> Callable[[Any], tuple[int, int, int, int] | None]:
    """A function giving the largest face dlib's HOG detector (the face check's) finds on a half-size copy of an
    RGB frame, in frame pixels; it finds none when dlib or its models are missing (the view then shows frames
    without a box). The models load once, on the first frame."""
    models: list[Any] = []

    def largest(rgb: Any) -> tuple[int, int, int, int] | None:
        if not models:
            try:
                from kiosk.devices.face.dlib_models import load_models

                models.append(load_models(with_encoder=False))
            except Exception:  # noqa: BLE001 - dlib or its models not installed
                models.append(None)
        if models[0] is None:
            return None
        boxes = models[0].detect(rgb[::2, ::2].copy())
        if not boxes:
            return None
        left, top, right, bottom = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        return left * 2, top * 2, right * 2, bottom * 2

    return largest


def printer_queue(config: Config) -> Any:
    """The A4 queue (kiosk.devices.printer.cups_queue.CupsQueue), or None when the printer is not CUPS."""
    if config.devices.printer != "cups":
        return None
    from kiosk.devices.printer.cups_queue import CupsQueue

    return CupsQueue(config.printer.cups_queue, config.printer.cups_server)
