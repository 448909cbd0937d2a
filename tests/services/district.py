"""The reference district server (demo data) on a private port, in a thread of the test process."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DistrictServer:
    def __init__(self, folder: Path) -> None:
        import uvicorn

        from district.app import create_app
        from district.settings import DistrictSettings

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # One session-wide district serves every services test from one address, and one test kiosk runs all 195
        # items back to back, far faster than a citizen could: the rate limits (per kiosk and per source address,
        # tested in tests/sync/test_hostile_requests.py) would only get in the way here.
        settings = DistrictSettings(db_url=f"sqlite:///{folder / 'district.db'}", demo=True, public_url=self.url,
                                    rate_per_s=1000.0, rate_burst=1000, public_rate_per_s=1000.0,
                                    public_rate_burst=1000)
        self.app = create_app(settings)
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                     log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> DistrictServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("district server did not start")

    def public_key_pem(self) -> bytes:
        return httpx.get(f"{self.url}/api/v1/documents/key", timeout=5).content

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


_ENROLLED: dict[tuple[str, str], Path] = {}  # (district URL, kiosk name) -> the data folder holding its key


def enrolled_signer(url: str, kiosk_id: str | None = None):
    """A request signer of a kiosk enrolled with the demo district at `url` (loopback kiosks enroll there without
    a token): citizen data goes only to enrolled kiosks. A named kiosk is enrolled once per district and reused
    (its name is bound to its first key); without a name, a fresh one."""
    import tempfile
    import uuid

    from kiosk.link.enrollment import enroll, signer_for

    name = kiosk_id or f"test-{uuid.uuid4().hex[:12]}"
    folder = _ENROLLED.get((url, name))
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="kiosk-enrolled-"))
        enroll(folder, url, name)
        _ENROLLED[(url, name)] = folder
    return signer_for(folder, name)


def enrolled_client(url: str, timeout_s: float = 4.0, kiosk_id: str | None = None):
    """An HttpDistrictClient signing as an enrolled kiosk (see enrolled_signer)."""
    from kiosk.link.district_client import HttpDistrictClient

    return HttpDistrictClient(url, timeout_s=timeout_s, authenticator=enrolled_signer(url, kiosk_id))


def signed_post(url: str, path: str, content: bytes, kiosk_id: str = "SC-01") -> httpx.Response:
    """POST raw `content` to `path`, signed as the enrolled kiosk `kiosk_id`."""
    headers = {"Content-Type": "application/json", **enrolled_signer(url, kiosk_id)("POST", path, content)}
    return httpx.post(url + path, content=content, headers=headers, timeout=5)
