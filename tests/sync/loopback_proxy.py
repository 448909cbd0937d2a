"""The plumbing every test proxy between a kiosk and the district shares: a threaded HTTP server on loopback that
forwards a request to the district untouched (tests only). Subclasses decide what to do with each request."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

import httpx

HOP_HEADERS = {"host", "content-length", "connection", "keep-alive", "transfer-encoding"}


class LoopbackProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._client = httpx.Client(base_url=self.upstream, timeout=30.0)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_a) -> None:
                pass

            def do_GET(self) -> None:
                proxy._handle(self, self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def do_POST(self) -> None:
                proxy._handle(self, self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def _forward(self, h: BaseHTTPRequestHandler, body: bytes) -> httpx.Response:
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP_HEADERS}
        return self._client.request(h.command, h.path, content=body or None, headers=headers)

    def _handle(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        raise NotImplementedError

    @staticmethod
    def _answer(h: BaseHTTPRequestHandler, status: int, content: bytes,
                headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        for k, v in (headers or {"Content-Type": "application/json"}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(content)))
        h.end_headers()
        h.wfile.write(content)
