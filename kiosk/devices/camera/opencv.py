"""OpenCV camera: a device index, a video file or URL, an image file, or a folder of images, on a worker thread.

The worker keeps only the newest frame (a slow consumer never sees stale frames) unless `realtime=False`, where
every frame of a file source is handed over in order (tests and benchmarks must not depend on machine speed).
When the device stops delivering (unplugged, driver error) the state becomes UNAVAILABLE and the worker tries to
reopen it every `reopen_s` seconds until it is back; the same holds for a folder that is emptied or removed.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.config import FaceConfig
from kiosk.devices.camera import CameraState
from kiosk.errors import CameraUnavailable

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".jp2", ".webp", ".tif", ".tiff"}


def parse_source(source: str | int) -> str | int:
    """A device index for digits ('0', 0), else the string (path or URL)."""
    if isinstance(source, int):
        return source
    text = str(source).strip()
    return int(text) if text.isdigit() else text


class OpenCvCamera:
    """Frames (BGR ndarrays) from OpenCV; see the module docstring for the kinds of source."""

    def __init__(self, source: str | int, fps: float = 20.0, realtime: bool = True, loop: bool = True,
                 reopen_s: float = 1.0, width: int = 0, height: int = 0,
                 capture_factory: Callable[[str | int], Any] | None = None) -> None:
        import cv2

        self._cv2 = cv2
        self._source = parse_source(source)
        self._fps = fps
        self._realtime = realtime
        self._loop = loop
        self._reopen_s = reopen_s
        self._size = (width, height)
        self._factory = capture_factory or self._default_capture
        self._state = CameraState.CLOSED
        self._cond = threading.Condition()
        self._frames: deque[Any] = deque(maxlen=1 if realtime else 4)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = False  # a non-looping file source reached its end
        self.on_state: Callable[[CameraState], None] | None = None  # called from the worker on changes

    @classmethod
    def from_source(cls, source: str | int, fps: float = 20.0) -> OpenCvCamera:
        """A camera for a device index, image, folder, video file or URL (the simulated camera's source)."""
        return cls(source, fps=fps)

    @classmethod
    def from_config(cls, face: FaceConfig) -> OpenCvCamera:
        """The camera of `[face]`: camera_source when set, else the device camera_index."""
        return cls(face.camera_source or face.camera_index)

    # -- kinds of source -------------------------------------------------------------------------------------
    def _kind(self) -> str:
        if isinstance(self._source, int):
            return "device"
        path = Path(self._source)
        if "://" not in str(self._source) and path.is_dir():
            return "folder"
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return "image"
        return "stream"  # a video file or a URL: both through VideoCapture

    def _default_capture(self, source: str | int) -> Any:
        cap = self._cv2.VideoCapture(source)
        if isinstance(source, int) and cap.isOpened():
            if self._size[0]:
                cap.set(self._cv2.CAP_PROP_FRAME_WIDTH, self._size[0])
                cap.set(self._cv2.CAP_PROP_FRAME_HEIGHT, self._size[1])
            cap.set(self._cv2.CAP_PROP_FPS, max(15.0, self._fps))
        return cap

    def _image_files(self) -> list[Path]:
        try:
            return sorted(p for p in Path(self._source).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        except OSError:
            return []

    # -- Camera protocol -------------------------------------------------------------------------------------
    @property
    def state(self) -> CameraState:
        return self._state

    def open(self) -> None:
        """Start the worker; raises CameraUnavailable when the source cannot be opened now."""
        if self._thread is not None:
            return
        kind = self._kind()
        first: Any = None
        if kind == "folder":
            if not self._image_files():
                raise CameraUnavailable(f"no images in {self._source}")
        elif kind == "image":
            if self._cv2.imread(str(self._source)) is None:
                raise CameraUnavailable(f"cannot read image {self._source}")
        else:
            first = self._factory(self._source)
            if not first.isOpened():
                first.release()
                raise CameraUnavailable(f"cannot open camera source {self._source!r}")
        self._stop.clear()
        self.finished = False
        self._set_state(CameraState.STREAMING)
        self._thread = threading.Thread(target=self._run, args=(kind, first), name="camera", daemon=True)
        self._thread.start()

    def read(self) -> Any | None:
        """The next frame, waiting at most about one frame interval; None when there is none."""
        with self._cond:
            if not self._frames:
                self._cond.wait(timeout=min(0.1, 1.5 / self._fps))
            if not self._frames:
                return None
            frame = self._frames.popleft()
            self._cond.notify_all()
            return frame

    def close(self) -> None:
        """Stop the worker and release the device; idempotent."""
        self._stop.set()
        with self._cond:
            self._frames.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._set_state(CameraState.CLOSED)

    # -- worker ----------------------------------------------------------------------------------------------
    def _set_state(self, state: CameraState) -> None:
        if state != self._state:
            self._state = state
            if self.on_state is not None:
                try:
                    self.on_state(state)
                except Exception:  # noqa: BLE001 - a listener must not kill the capture thread
                    pass

    def _deliver(self, frame: Any) -> None:
        with self._cond:
            if not self._realtime:
                while len(self._frames) >= (self._frames.maxlen or 1) and not self._stop.is_set():
                    self._cond.wait(timeout=0.1)
            self._frames.append(frame)
            self._cond.notify_all()

    def _pace(self, started: float) -> None:
        if self._realtime:
            self._stop.wait(max(0.0, 1.0 / self._fps - (time.monotonic() - started)))

    def _run(self, kind: str, cap: Any) -> None:
        if kind in ("folder", "image"):
            self._run_images(kind)
        else:
            self._run_capture(kind, cap)

    def _run_images(self, kind: str) -> None:
        cache: dict[Path, Any] = {}  # frames of a folder source stay in memory only, like any camera frame
        while not self._stop.is_set():
            files = self._image_files() if kind == "folder" else [Path(str(self._source))]
            if not files or not all(p.exists() for p in files[:1]):
                self._set_state(CameraState.UNAVAILABLE)
                cache.clear()
                self._stop.wait(self._reopen_s)
                continue
            self._set_state(CameraState.STREAMING)
            for path in files:
                if self._stop.is_set():
                    return
                started = time.monotonic()
                frame = cache.get(path)
                if frame is None:
                    frame = self._cv2.imread(str(path))
                    if frame is None:
                        continue
                    cache[path] = frame
                self._deliver(frame.copy())
                self._pace(started)
            if not self._loop:
                self.finished = True
                return

    def _run_capture(self, kind: str, cap: Any) -> None:
        is_file = kind == "stream" and "://" not in str(self._source)
        failures = 0
        while not self._stop.is_set():
            if cap is None:
                cap = self._factory(self._source)
                if not cap.isOpened():
                    cap.release()
                    cap = None
                    self._set_state(CameraState.UNAVAILABLE)
                    self._stop.wait(self._reopen_s)
                    continue
            started = time.monotonic()
            ok, frame = cap.read()
            if ok and frame is not None:
                failures = 0
                self._set_state(CameraState.STREAMING)
                self._deliver(frame)
                if is_file:
                    self._pace(started)
                continue
            if is_file and failures == 0:
                failures += 1  # end of the video file: rewind (or stop) rather than call it unplugged
                if not self._loop:
                    self.finished = True
                    break
                cap.set(self._cv2.CAP_PROP_POS_FRAMES, 0)
                continue
            failures += 1
            if failures >= 3:  # a few bad reads: the device is gone; release it and reopen later
                cap.release()
                cap = None
                self._set_state(CameraState.UNAVAILABLE)
                self._stop.wait(self._reopen_s)
        if cap is not None:
            cap.release()
