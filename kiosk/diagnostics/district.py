"""The district link: does the district server answer its health endpoint, and how fast.

A district that is down is a warning, not a failure: the kiosk keeps serving and its outbox waits (docs/sync.md).
"""

from __future__ import annotations

import time

from kiosk.devices.health import DeviceStatus, Level
from kiosk.devices.status_ids import device_status

DEVICE = "district"
HEALTH_PATH = "/api/v1/health"


class DistrictHealth:
    device = DEVICE

    def __init__(self, url: str, timeout_s: float = 3.0) -> None:
        self._url = url.rstrip("/")
        self._timeout = timeout_s

    def check(self, level: Level) -> DeviceStatus:
        import httpx

        facts = {"url": self._url}
        started = time.perf_counter()
        try:
            answer = httpx.get(self._url + HEALTH_PATH, timeout=self._timeout)
        except httpx.HTTPError as exc:
            return device_status(DEVICE, "NET-DISTRICT-DOWN", f"district {self._url} unreachable: "
                                 f"{type(exc).__name__}: {exc}", facts=facts)
        facts["round_trip_ms"] = round((time.perf_counter() - started) * 1000, 1)
        facts["http_status"] = answer.status_code
        try:
            body = answer.json()
        except ValueError:
            body = None
        if answer.status_code != 200 or not isinstance(body, dict) or body.get("status") != "ok":
            return device_status(DEVICE, "NET-DISTRICT-ERROR", f"district {self._url} answered HTTP "
                                 f"{answer.status_code} to {HEALTH_PATH}", facts=facts)
        return device_status(DEVICE, "NET-DISTRICT-OK", f"district {self._url} answers in "
                             f"{facts['round_trip_ms']:.0f} ms", facts=facts)
