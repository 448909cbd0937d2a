"""The sync daemon's signed HTTP link to the district: classifies every outcome as answer, retry or refusal.

Unlike kiosk.link.district_client (what service modules use while a citizen waits), the daemon needs the status code,
Retry-After and the server's clock, so it keeps its own httpx client, signed with the same RequestSigner.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from contract.refusal import KIOSK_REVOKED, refusal_code
from contract.request_signing import RequestSigner
from kiosk.link.district_endpoint import district_endpoint


class Unreachable(Exception):
    """Retryable: network error, timeout, cut or malformed answer, 5xx, 429."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class Refused(Exception):
    """The district's word (4xx other than 429): not retried as is. `code`: contract.refusal's, if it gave one."""

    def __init__(self, status: int, reason: str, code: str | None = None) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason
        self.code = code

    @property
    def revoked(self) -> bool:
        """The district said this kiosk is revoked: nothing it sends will be stored until it is re-admitted."""
        return self.status in (401, 403) and self.code == KIOSK_REVOKED


@dataclass(frozen=True)
class Answer:
    body: Any
    server_time: float | None  # X-Server-Time of the answer
    clock_skew_s: float | None  # kiosk clock minus server clock, measured at the request's midpoint


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class DistrictLink:
    def __init__(self, base_url: str, signer: RequestSigner | None, timeout_s: float = 10.0,
                 transport: httpx.BaseTransport | None = None, clock=time.time, ca_file: Path | None = None) -> None:
        """Raises ConfigError for a plain-http URL off loopback or an https URL without the district's CA."""
        endpoint = district_endpoint(base_url, ca_file)
        self.base_url = endpoint.url
        self.signer = signer
        self._clock = clock  # the kiosk's wall clock, only to measure skew against the server's
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout_s, transport=transport,
                                    verify=endpoint.verify)

    def close(self) -> None:
        self._client.close()

    def get_bytes(self, path: str) -> tuple[int, bytes]:
        """Signed GET; (status, body). Raises Unreachable on transport errors only."""
        response = self._send("GET", path, b"")
        return response.status_code, response.content

    def post(self, path: str, body: Any) -> Answer:
        """Signed POST of JSON `body`; the JSON answer. Raises Unreachable or Refused."""
        content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        for attempt in (1, 2):
            started = self._clock()
            response = self._send("POST", path, content)
            skew = self._measure_skew(response, started, self._clock())
            if response.status_code >= 500 or response.status_code == 429:
                raise Unreachable(f"district answered {response.status_code}", _retry_after(response))
            if response.status_code >= 400:
                reason = _detail(response)
                if attempt == 1 and response.status_code == 401 and "timestamp" in reason and skew is not None:
                    continue  # our clock was off; the skew is measured now, sign again once
                if response.status_code == 401 and "replayed" in reason:
                    # We never reuse a nonce: our request was duplicated in transit and this is the copy's
                    # answer. Whether the original was stored is unknown, so send again (new nonce).
                    raise Unreachable("request duplicated in transit (district saw a replay)")
                raise Refused(response.status_code, reason, _code(response))
            try:
                data = response.json()
            except ValueError as exc:
                raise Unreachable("district answered with malformed JSON (cut answer?)") from exc
            return Answer(data, _server_time(response), skew)
        raise AssertionError("unreachable")

    def _send(self, method: str, path: str, content: bytes) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if content else {}
        if self.signer is not None:
            headers.update(self.signer(method, path, content))
        try:
            return self._client.request(method, path, content=content or None, headers=headers)
        except httpx.HTTPError as exc:
            raise Unreachable(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc

    def _measure_skew(self, response: httpx.Response, sent: float, received: float) -> float | None:
        server = _server_time(response)
        if server is None:
            return None
        skew = (sent + received) / 2 - server
        if self.signer is not None:
            self.signer.set_skew(skew)
        return skew


def _server_time(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["X-Server-Time"])
    except (KeyError, ValueError):
        return None


def _code(response: httpx.Response) -> str | None:
    try:
        return refusal_code(response.json())
    except ValueError:
        return None


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list):  # FastAPI validation errors
        detail = "; ".join(f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg')}" for d in detail[:3])
    return str(detail or response.text[:200] or response.reason_phrase)
