"""An HTTP proxy that forwards to the district and can replace the answer to one path (tests only).

It plays the box on the network that the district's signature is there for: the kiosk's signed request still
reaches the district untouched, but the answer it gets back is whatever the test put in `swap[path]`.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

from tests.sync.loopback_proxy import LoopbackProxy


class AnswerSwapProxy(LoopbackProxy):
    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.swap: dict[str, bytes] = {}  # request path -> the JSON answer to give instead of the district's
        self.swapped: list[str] = []

    def _handle(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        response = self._forward(h, body)
        content, status = response.content, response.status_code
        replacement = self.swap.get(h.path)
        if replacement is not None:
            content, status = replacement, 200
            self.swapped.append(h.path)
        self._answer(h, status, content)
