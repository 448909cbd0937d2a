"""An HTTP proxy that forwards to the district and can replace the answer to one path (tests only).

It plays the box on the network that the district's signature is there for: the kiosk's signed request still
reaches the district untouched, but the answer it gets back is whatever the test put in `swap[path]`.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

_HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding"}


class AnswerSwapProxy:
    def __init__(self, upstream: str) -> None:
        self._client = httpx.Client(base_url=upstream.rstrip("/"), timeout=30.0)
        self.swap: dict[str, bytes] = {}  # request path -> the JSON answer to give instead of the district's
        self.swapped: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_a) -> None:
                pass

            def do_GET(self) -> None:
                proxy._handle(self)

            def do_POST(self) -> None:
                proxy._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> AnswerSwapProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in h.headers.items() if k.lower() not in _HOP}
        response = self._client.request(h.command, h.path, content=body or None, headers=headers)
        content, status = response.content, response.status_code
        replacement = self.swap.get(h.path)
        if replacement is not None:
            content, status = replacement, 200
            self.swapped.append(h.path)
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(content)))
        h.end_headers()
        h.wfile.write(content)
