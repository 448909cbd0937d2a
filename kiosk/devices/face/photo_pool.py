"""Still photos decoded and encoded in worker processes, one photo per job, for batch work on many photos.

dlib holds the GIL for a whole detection or encoding, so only processes use more than one core. Each worker loads
the models once and reads the photo itself (the parent never holds the pixels); it returns the number of faces
and their descriptors, or why it could not (unreadable, no face). Nothing is written anywhere, and a bad photo is
a result, not an exception: one failure never stops a batch.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Self, TypeVar

import numpy as np

from kiosk.devices.face.dlib_models import MIRROR, FaceModels, load_models
from kiosk.devices.face.photo import UnreadableImage, decode_image, encode_photo

T = TypeVar("T")

# Worker-process state: the models, loaded once per worker by `_init_worker`.
_WORKER: dict[str, Any] = {}


@dataclass(frozen=True)
class DescriptorOptions:
    """How a face is turned into a descriptor (must match on both sides of a comparison)."""

    jitters: int = 1
    mirror: bool = MIRROR


@dataclass(frozen=True)
class PhotoEncodings:
    """The faces of one photo: their descriptors (largest face first), or the reason there are none."""

    path: str
    faces: int
    encodings: tuple[np.ndarray, ...]
    error: str | None = None  # "unreadable: ..." or "no face"


def encode_file(models: FaceModels, path: str, options: DescriptorOptions = DescriptorOptions(),
                largest_only: bool = False) -> PhotoEncodings:
    """Read, decode and encode one photo; failures come back as `error`, never raised."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return PhotoEncodings(path, 0, (), f"unreadable: {exc.strerror or exc}")
    try:
        rgb = decode_image(data)
    except UnreadableImage:
        return PhotoEncodings(path, 0, (), "unreadable: not an image")
    faces = encode_photo(models, rgb, options.jitters, options.mirror, largest_only)
    if not faces:
        return PhotoEncodings(path, 0, (), "no face")
    return PhotoEncodings(path, len(faces), tuple(f.encoding for f in faces))


def _init_worker() -> None:
    _WORKER["models"] = load_models()


def _worker_models() -> FaceModels:
    return _WORKER["models"]


def _call_job(job: Callable[[FaceModels, T], Any], item: T) -> Any:
    return job(_worker_models(), item)


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class PhotoPool:
    """Worker processes holding the face models; results come back in input order. Use as a context manager."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Self:
        # spawn, not fork: the caller may run threads (Qt, capture) that fork would copy half-way
        self._executor = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def encode(self, paths: Iterable[str], options: DescriptorOptions = DescriptorOptions(),
               largest_only: bool = False) -> Iterator[PhotoEncodings]:
        """Encodings of `paths`, in order, computed `workers` at a time."""
        return self.map(_encode_job_item, ((p, options, largest_only) for p in paths))

    def map(self, job: Callable[[FaceModels, T], Any], items: Iterable[T]) -> Iterator[Any]:
        """`job(models, item)` for every item, in the workers, results in input order (job: a module-level function)."""
        if self._executor is None:
            raise RuntimeError("PhotoPool used outside its `with` block")
        executor = self._executor
        # a bounded window of jobs in flight: results stream out while later photos are still being encoded
        window = self.workers * 4
        pending: deque[Future] = deque()
        for item in items:
            pending.append(executor.submit(_call_job, job, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _encode_job_item(models: FaceModels, item: tuple[str, DescriptorOptions, bool]) -> PhotoEncodings:
    path, options, largest_only = item
    return encode_file(models, path, options, largest_only)
