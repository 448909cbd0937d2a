"""`Server-Timing: app;dur=<ms>` on the kiosk API's answers: the server's own time for a request, from the moment
the ASGI application is handed the request to the start of its answer (W3C Server Timing).

A kiosk's or a load generator's clock includes the network and its own scheduling; on a machine shared with the
load generator that is not the server's latency. The city-scale bench reports both. A plain ASGI middleware
(no task group per request, unlike Starlette's BaseHTTPMiddleware).
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"server-timing"


class ServerTiming:
    def __init__(self, app: ASGIApp, prefix: str = "/api/v1/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                message = {**message, "headers": [*message.get("headers", []), (HEADER, f"app;dur={took:.2f}"
                                                                                 .encode())]}
            await send(message)

        await self.app(scope, receive, timed)
