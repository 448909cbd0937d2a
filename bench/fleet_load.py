"""A lean load generator for the city-scale bench: signed kiosk requests over plain asyncio streams on uvloop.

httpx cost the 200 simulated kiosks more CPU than the district spent ingesting their batches (0.24 against 0.16
cpu-s per 1,000 transactions): on a 2-core machine shared with the server the generator took the server's CPU.
Here each simulated kiosk keeps one HTTP/1.1 connection, as a sync daemon's client does while it drains its
outbox, and writes requests and parses answers with a few bytes operations. Loopback only.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlparse

LOOPBACK = ("127.0.0.1", "::1")


def loopback(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    if parsed.hostname not in LOOPBACK or parsed.port is None:
        raise ValueError("the load generator only talks to loopback servers")
    return parsed.hostname, parsed.port


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[bytes, bytes]
    body: bytes

    def server_ms(self) -> float | None:
        """The server's own time for the request (its `Server-Timing: app;dur=` header), or None."""
        value = self.headers.get(b"server-timing", b"")
        for part in value.split(b";"):
            if part.strip().startswith(b"dur="):
                return float(part.strip()[4:])
        return None


async def read_answer(reader: asyncio.StreamReader) -> Answer:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return Answer(status, headers, body)


def request_bytes(host: str, port: int, path: str, body: bytes, headers: dict[str, str], close: bool) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    connection = "Connection: close\r\n" if close else ""
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n{connection}{head}"
            "\r\n").encode() + body


class KeepAlive:
    """One kiosk's connection, reopened when the server closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        for attempt in (1, 2):
            if self._streams is None:
                self._streams = await asyncio.open_connection(self.host, self.port)
            reader, writer = self._streams
            try:
                writer.write(request_bytes(self.host, self.port, path, body, headers, close=False))
                await writer.drain()
                answer = await read_answer(reader)
            except (OSError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
                continue  # the server closed an idle connection just as we wrote: a new one
            if answer.headers.get(b"connection", b"").lower() == b"close":
                await self.close()
            return answer
        raise AssertionError("unreachable")

    async def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def post_once(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> Answer:
    """One POST on a connection of its own (`Connection: close`)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request_bytes(host, port, path, body, headers, close=True))
        await writer.drain()
        return await read_answer(reader)
    finally:
        writer.close()


def transaction(kiosk: str, seq: int) -> dict:
    return {"id": str(uuid.uuid4()), "seq": seq, "kiosk_id": kiosk, "item_id": "si-record",
            "module_id": "social_insurance_record", "status": "completed", "holder": f"{seq:064x}"[-64:],
            "summary": {"months": 36}, "device_time": "2026-11-26T09:00:00+00:00"}


@dataclass
class IngestResult:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    retried: int = 0
    elapsed_s: float = 0.0
    server_ms: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.accepted / self.elapsed_s if self.elapsed_s else 0.0


async def ingest(url: str, signers: list, batches: int, items: int) -> IngestResult:
    """Every kiosk uploads `batches` batches of `items` new transactions one after the other (as its daemon
    drains its outbox), all kiosks at once; a 429 or 5xx is retried with the same items and a new signature."""
    host, port = loopback(url)
    path = "/api/v1/transactions/batch"
    # The kiosks' outboxes are written before the upload: what is timed is sending them.
    outboxes = [[json.dumps({"items": [transaction(s.kiosk_id, b * items + n + 1) for n in range(items)]},
                            separators=(",", ":")).encode() for b in range(batches)] for s in signers]
    result = IngestResult()

    async def kiosk(signer, bodies: list[bytes]) -> None:
        connection = KeepAlive(host, port)
        try:
            for body in bodies:
                for _attempt in range(20):
                    answer = await connection.post(path, body, {"Content-Type": "application/json",
                                                                **signer("POST", path, body)})
                    if answer.status in (429, 500, 502, 503):
                        result.retried += 1
                        await asyncio.sleep(float(answer.headers.get(b"retry-after", b"0.2")))
                        continue
                    if answer.status != 200:
                        raise RuntimeError(f"batch refused: {answer.status} {answer.body[:200]!r}")
                    for item in json.loads(answer.body)["results"]:
                        setattr(result, item["result"], getattr(result, item["result"]) + 1)
                    if (ms := answer.server_ms()) is not None:
                        result.server_ms.append(ms)
                    break
                else:
                    raise RuntimeError("batch still refused after 20 attempts")
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(kiosk(s, o) for s, o in zip(signers, outboxes, strict=True)))
    result.elapsed_s = time.perf_counter() - started
    return result


def run(coroutine):
    """Run `coroutine` on uvloop (the generator's own CPU is the server's competitor on this machine)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)
