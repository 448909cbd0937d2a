"""Request body limits, enforced before any handler or parser sees the body: its size, then its shape (JSON
nesting depth, non-finite numbers), so that no parser ever recurses on hostile input."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """ASGI middleware: 413 when Content-Length, or the bytes actually streamed, exceed `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await self._refuse(send)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"request body exceeds {self.max_bytes} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


_BRACKETS_ONLY = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN_CLOSE = bytes.maketrans(b"[]{}", b"()()")


def json_shape_problem(body: bytes, max_depth: int) -> str | None:
    """Why `body` must not reach a JSON parser, or None.

    Only C-speed bytes operations (linear, no regex backtracking, no recursion): escape pairs are dropped, the
    text between quotes is dropped, what is left is searched for NaN/Infinity (Python's json accepts them; strict
    JSON has no non-finite numbers), and its brackets are collapsed one innermost level per pass. A body still
    collapsing after `max_depth` passes nests deeper than that (json.loads would recurse on it); brackets that
    stop pairing up (`[[[[…` with no end) are refused too, since a parser recurses on those as well.
    """
    if b"NaN" not in body and b"Infinity" not in body and body.count(b"[") + body.count(b"{") <= max_depth:
        return None  # the common small request: nothing to look at closer
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside_strings = b"".join(unescaped.split(b'"')[0::2])
    if b"NaN" in outside_strings or b"Infinity" in outside_strings:
        return "JSON numbers must be finite (NaN and Infinity are not JSON)"
    brackets = outside_strings.translate(_OPEN_CLOSE, _BRACKETS_ONLY)
    too_deep = b"(" * (max_depth + 1)
    for _ in range(max_depth + 1):
        if not brackets:
            return None
        if too_deep in brackets:
            break
        collapsed = brackets.replace(b"()", b"")
        if collapsed == brackets:
            return "malformed JSON: brackets do not pair up"
        brackets = collapsed
    return f"JSON nested deeper than {max_depth} levels"


class JsonShapeLimit:
    """ASGI middleware: reads a request's whole body (BodySizeLimit, outside it, bounds its size) and answers 422
    before any parser runs when `json_shape_problem` finds one; otherwise hands the body on unchanged."""

    def __init__(self, app: ASGIApp, max_depth: int) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it as it was
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = json_shape_problem(body, self.max_depth) if body else None
        if problem is not None:
            await _answer(send, 422, problem)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
