"""Running a district server for tests: in a thread of the test process, or as a separate process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"district server at {url} did not come up")


class ThreadedDistrict:
    """uvicorn serving create_app(settings) in a background thread; restartable on the same port.

    `tls`: (certificate chain PEM, private key PEM) to serve HTTPS, as `kiosk-district serve --tls-cert --tls-key`.
    """

    def __init__(self, settings, port: int | None = None, tls: tuple[Path, Path] | None = None) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.app = None
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> ThreadedDistrict:
        import uvicorn

        from district.app import create_app

        self.app = create_app(self.settings)
        tls = {"ssl_certfile": str(self.tls[0]), "ssl_keyfile": str(self.tls[1])} if self.tls else {}
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="error", lifespan="off",
                                timeout_graceful_shutdown=1, **tls)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("district server thread did not start")
            time.sleep(0.02)
        return self

    @property
    def engine(self):
        return self.app.state.engine

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self.app.state.engine.dispose()
            self._server = None


class ProcessDistrict:
    """`kiosk-district serve` as a child process (own GIL: load tests and benchmarks)."""

    def __init__(self, db_url: str, demo: bool = True, port: int | None = None, extra: list[str] | None = None,
                 keys: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._own_keys = keys is None
        if keys is None:  # never the default (a folder beside the database, or in the user's data home)
            import tempfile

            keys = Path(tempfile.mkdtemp(prefix="district-keys-"))
        self.keys = keys
        self._cmd = [sys.executable, "-m", "district.cli", "serve", "--port", str(self.port), "--db", db_url,
                     *(["--demo"] if demo else []), *(["--keys", str(keys)] if keys else []), *(extra or [])]
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 30.0) -> ProcessDistrict:
        """Start it and wait until it answers (uvicorn's workers take longer to come up on a busy machine)."""
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(self._cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        try:
            wait_healthy(self.url, timeout_s)
        except RuntimeError:
            self.stop()  # a server that came up too late must not outlive the test that gave up on it
            raise
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self._own_keys:
            import shutil

            shutil.rmtree(self.keys, ignore_errors=True)
