"""A fault-injecting HTTP proxy between the sync daemon and the district server (tests only).

Per request it picks one fault: drop the connection without forwarding, delay, duplicate (the server receives the
request twice; the client gets the first or the second answer), answer 500/503/429 without forwarding, or forward
and then cut the answer after the server has committed. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler

import httpx

from tests.sync.loopback_proxy import HOP_HEADERS, LoopbackProxy

FAULTS = ("drop", "delay", "duplicate", "duplicate-second", "500", "503", "429", "cut-after-commit")


class FaultProxy(LoopbackProxy):
    def __init__(self, upstream: str, fault_rate: float = 0.4, seed: int = 1,
                 faults: tuple[str, ...] = FAULTS) -> None:
        super().__init__(upstream)
        self.fault_rate = fault_rate
        self.faults = faults
        self.counts: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._turn = 0
        self._lock = threading.Lock()
        self.enabled = True

    def _pick(self) -> str:
        # Which requests are faulted is random (seeded); the faults themselves take turns, so every kind is
        # exercised once a few dozen requests went through.
        with self._lock:
            fault = "pass"
            if self.enabled and self._rng.random() < self.fault_rate:
                fault = self.faults[self._turn % len(self.faults)]
                self._turn += 1
            self.counts[fault] += 1
            return fault

    def _handle(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        fault = self._pick()
        if fault == "drop":
            h.close_connection = True
            return
        if fault in ("500", "503", "429"):
            headers = {"Content-Type": "application/json"} | ({"Retry-After": "1"} if fault == "429" else {})
            self._answer(h, int(fault), b'{"detail": "injected"}', headers)
            return
        if fault == "delay":
            time.sleep(self._rng.uniform(0.05, 0.4))
        try:
            response = self._forward(h, body)
            if fault in ("duplicate", "duplicate-second"):
                second = self._forward(h, body)
                if fault == "duplicate-second":
                    response = second
        except httpx.HTTPError:
            h.close_connection = True
            return
        if fault == "cut-after-commit":
            # The server has committed; the client gets a truncated answer and must not take it as an ack.
            h.send_response(response.status_code)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(response.content)))
            h.end_headers()
            h.wfile.write(response.content[: len(response.content) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        h.send_response(response.status_code)
        for k, v in response.headers.items():
            if k.lower() not in HOP_HEADERS and k.lower() not in ("date", "server"):
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(response.content)))
        h.end_headers()
        h.wfile.write(response.content)
