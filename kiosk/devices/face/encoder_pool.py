"""Face encodings computed in worker processes, in parallel and ahead of the decision.

dlib's ResNet holds the GIL for the whole ~80-140 ms of an encoding, so threads cannot use the second core and
would also freeze the capture loop: encodings run in a small pool of spawned processes (spawn, not fork: the
parent runs Qt and capture threads). Each job carries only a crop around the face, in memory through a pipe;
workers write nothing anywhere and keep nothing once a job is done.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np

from kiosk.devices.face.dlib_models import MIRROR, encode_with, load_encoder

Box = tuple[int, int, int, int]

# Worker-process state: the encoder is loaded once per worker by `_init_worker` (ProcessPoolExecutor's
# initializer can only hand state to later jobs through the worker's module globals).
_WORKER: dict[str, Any] = {}


def _init_worker() -> None:
    _WORKER["dlib"], _WORKER["encoder"] = load_encoder()


def _ready() -> bool:
    return "encoder" in _WORKER


def _encode_job(crop: np.ndarray, box: Box, points: np.ndarray, jitters: int, mirror: bool) -> np.ndarray:
    return encode_with(_WORKER["dlib"], _WORKER["encoder"], crop, box, points, jitters, mirror)


def face_crop(rgb: np.ndarray, box: Box, points: np.ndarray) -> tuple[np.ndarray, Box, np.ndarray]:
    """A crop around the face wide enough for dlib's aligned 150x150 chip, with box and points moved into it."""
    w = box[2] - box[0]
    pad = int(w * 0.9)
    h_img, w_img = rgb.shape[:2]
    x0, y0 = max(0, box[0] - pad), max(0, box[1] - pad)
    x1, y1 = min(w_img, box[2] + pad), min(h_img, box[3] + pad)
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    moved = (box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0)
    return crop, moved, points - np.array([x0, y0], dtype=np.float64)


class EncoderPool:
    """A pool of encoder processes (one per core by default). `start()` spawns and warms them up."""

    def __init__(self, workers: int = 2) -> None:
        self._workers = workers
        self._executor: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Spawn the workers and wait until each has loaded the encoder (~1 s, done once per process)."""
        if self._executor is not None:
            return
        self._executor = ProcessPoolExecutor(max_workers=self._workers,
                                             mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker)
        warm = [self._executor.submit(_ready) for _ in range(self._workers * 2)]
        for f in warm:
            f.result()

    def submit(self, rgb: np.ndarray, box: Box, points: np.ndarray, jitters: int = 1,
               mirror: bool = MIRROR) -> Future:
        """Encode the face at `box` (landmarks `points`) of an RGB frame; returns a Future of the descriptor."""
        if self._executor is not None and getattr(self._executor, "_broken", False):
            self.close()  # a worker died earlier: start afresh
        if self._executor is None:
            self.start()
        assert self._executor is not None
        crop, moved, pts = face_crop(rgb, box, points)
        return self._executor.submit(_encode_job, crop, moved, pts, jitters, mirror)

    def worker_pids(self) -> list[int]:
        """Process ids of the workers (for RSS measurements)."""
        if self._executor is None:
            return []
        return list(getattr(self._executor, "_processes", {}) or {})

    def close(self) -> None:
        """Stop the workers; idempotent."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(wait=not getattr(executor, "_broken", False), cancel_futures=True)
