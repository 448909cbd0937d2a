"""The `X-Server-Time` header on every answer: kiosks measure their clock skew from it (docs/sync.md); it is
never used for ordering.

A plain ASGI middleware: Starlette's `@app.middleware("http")` (BaseHTTPMiddleware) runs each request in a task
group of its own and cost ~6 % of a busy ingest server's CPU for adding one header.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-server-time"


class ServerTimeHeader:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, f"{time.time():.3f}".encode())]}
            await send(message)

        await self.app(scope, receive, stamped)
