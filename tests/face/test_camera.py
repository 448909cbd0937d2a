"""Cameras: folder, image, video-file and device sources; unplug -> UNAVAILABLE -> recovery."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from kiosk.devices.camera import CameraState
from kiosk.devices.camera.opencv import OpenCvCamera
from kiosk.devices.camera.sequence import SequenceCamera
from kiosk.devices.camera.still import StillCamera
from kiosk.errors import CameraUnavailable

cv2 = pytest.importorskip("cv2")


def numbered_frames(n: int, size=(64, 48)) -> list[np.ndarray]:
    """Plain frames whose first pixel encodes their index (no faces: cameras do not care)."""
    frames = []
    for i in range(n):
        f = np.zeros((size[1], size[0], 3), np.uint8)
        f[:, :] = (i * 20, 255 - i * 20, 100)
        frames.append(f)
    return frames


def read_n(camera, n: int, timeout: float = 5.0) -> list[np.ndarray]:
    out, deadline = [], time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        f = camera.read()
        if f is not None:
            out.append(f)
    return out


def wait_state(camera, state: CameraState, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        camera.read()
        if camera.state == state:
            return True
    return False


def test_folder_source_plays_every_frame_in_order(tmp_path: Path):
    for i, f in enumerate(numbered_frames(5)):
        cv2.imwrite(str(tmp_path / f"{i:03d}.png"), f)
    cam = OpenCvCamera(str(tmp_path), realtime=False, loop=False)
    cam.open()
    try:
        got = read_n(cam, 5)
        assert [int(f[0, 0, 0]) for f in got] == [0, 20, 40, 60, 80]
        assert cam.state == CameraState.STREAMING
        assert cam.read() is None and cam.finished
    finally:
        cam.close()
    assert cam.state == CameraState.CLOSED


def test_image_file_source_repeats_the_image(tmp_path: Path):
    cv2.imwrite(str(tmp_path / "one.png"), numbered_frames(1)[0])
    cam = OpenCvCamera(str(tmp_path / "one.png"), fps=50)
    cam.open()
    try:
        frames = read_n(cam, 3)
        assert len(frames) == 3 and all(f.shape == (48, 64, 3) for f in frames)
    finally:
        cam.close()


def test_video_file_source_loops(tmp_path: Path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 20, (64, 48))
    for f in numbered_frames(4):
        writer.write(f)
    writer.release()
    cam = OpenCvCamera(str(path), realtime=False, loop=True)
    cam.open()
    try:
        assert len(read_n(cam, 10)) == 10  # more frames than the file holds: it rewound
        assert cam.state == CameraState.STREAMING
    finally:
        cam.close()


def test_missing_sources_raise_camera_unavailable(tmp_path: Path):
    with pytest.raises(CameraUnavailable):
        OpenCvCamera(str(tmp_path / "empty-folder-does-not-exist.jpg")).open()
    (tmp_path / "empty").mkdir()
    with pytest.raises(CameraUnavailable):
        OpenCvCamera(str(tmp_path / "empty")).open()
    with pytest.raises(CameraUnavailable):
        OpenCvCamera(3, capture_factory=lambda _s: FakeCapture(opened=False)).open()


def test_folder_emptied_becomes_unavailable_then_recovers(tmp_path: Path):
    src = tmp_path / "cam"
    src.mkdir()
    for i, f in enumerate(numbered_frames(3)):
        cv2.imwrite(str(src / f"{i}.png"), f)
    spare = tmp_path / "spare"
    shutil.copytree(src, spare)
    states: list[CameraState] = []
    cam = OpenCvCamera(str(src), fps=50, reopen_s=0.05)
    cam.on_state = states.append
    cam.open()
    try:
        assert read_n(cam, 2)
        shutil.rmtree(src)  # "unplugged"
        assert wait_state(cam, CameraState.UNAVAILABLE)
        shutil.copytree(spare, src)  # plugged back in
        assert wait_state(cam, CameraState.STREAMING)
        assert read_n(cam, 2)
    finally:
        cam.close()
    assert CameraState.UNAVAILABLE in states and states[-1] == CameraState.CLOSED


class FakeCapture:
    """A VideoCapture stand-in whose device can be unplugged by the test."""

    def __init__(self, opened: bool = True, plugged: dict | None = None) -> None:
        self._opened = opened
        self._plugged = plugged if plugged is not None else {"in": True}
        self.frame = numbered_frames(1)[0]

    def isOpened(self) -> bool:
        return self._opened and self._plugged["in"]

    def read(self):
        if not self._plugged["in"]:
            return False, None
        time.sleep(0.01)
        return True, self.frame.copy()

    def set(self, *_args) -> bool:
        return True

    def release(self) -> None:
        self._opened = False


def test_device_unplugged_then_replugged():
    plugged = {"in": True}
    cam = OpenCvCamera(0, reopen_s=0.05, capture_factory=lambda _s: FakeCapture(plugged=plugged))
    cam.open()
    try:
        assert read_n(cam, 3)
        plugged["in"] = False
        assert wait_state(cam, CameraState.UNAVAILABLE)
        assert cam.read() is None
        plugged["in"] = True
        assert wait_state(cam, CameraState.STREAMING)
        assert read_n(cam, 3)
    finally:
        cam.close()


def test_still_and_sequence_cameras():
    frame = numbered_frames(1)[0]
    still = StillCamera(frame, fps=100)
    assert still.read() is None  # closed
    still.open()
    a, b = still.read(), still.read()
    assert np.array_equal(a, frame) and np.array_equal(b, frame) and a is not b
    still.close()
    seq = SequenceCamera(numbered_frames(3), fps=100)
    seq.open()
    assert [int(seq.read()[0, 0, 0]) for _ in range(3)] == [0, 20, 40]
    assert seq.read() is None
    seq.close()


def test_url_source_goes_unavailable_with_its_server_and_recovers(tmp_path: Path):
    """An IP camera (here a clip served over HTTP): server down -> UNAVAILABLE; back up -> STREAMING."""
    import functools
    import http.server
    import socketserver
    import threading

    writer = cv2.VideoWriter(str(tmp_path / "clip.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 20, (64, 48))
    for f in numbered_frames(10):
        writer.write(f)
    writer.release()

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *_args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path))

    def serve(port: int = 0) -> Server:
        server = Server(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    server = serve()
    port = server.server_address[1]
    cam = OpenCvCamera(f"http://127.0.0.1:{port}/clip.avi", reopen_s=0.05)
    cam.open()
    try:
        assert read_n(cam, 5)
        server.shutdown()
        server.server_close()
        assert wait_state(cam, CameraState.UNAVAILABLE)
        server = serve(port)
        assert wait_state(cam, CameraState.STREAMING)
        assert read_n(cam, 3)
    finally:
        cam.close()
        server.shutdown()
        server.server_close()
