"""Simulated kiosks for load tests and benchmarks: many enrolled kiosks uploading signed batches concurrently.

Each simulated kiosk has its own Ed25519 key and enrolls like a real one (loopback on a --demo server), then sends
`batches` batches of `items` transactions one after the other (as the daemon does); all kiosks run concurrently
on one asyncio loop. Loopback only: the simulator refuses any other host.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.request_signing import RequestSigner, public_key_hex


@dataclass
class FleetResult:
    kiosks: int
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    failed_requests: int = 0
    elapsed_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def ingest_rate(self) -> float:
        """Accepted transactions per second over the upload phase."""
        return self.accepted / self.elapsed_s if self.elapsed_s else 0.0


def _item(kiosk: str, seq: int) -> dict:
    return {"id": str(uuid.uuid4()), "seq": seq, "kiosk_id": kiosk, "item_id": "si-record",
            "module_id": "social_insurance_record", "status": "completed", "holder": f"{seq:064x}"[-64:],
            "summary": {"months": 36}, "device_time": "2026-11-26T09:00:00+00:00"}


async def _enroll(client: httpx.AsyncClient, name: str, key: Ed25519PrivateKey) -> None:
    r = await client.post("/api/v1/enroll", json={"kiosk_id": name, "public_key": public_key_hex(key)})
    r.raise_for_status()


def _bodies(kiosk: str, batches: int, items: int) -> list[bytes]:
    return [json.dumps({"items": [_item(kiosk, b * items + n + 1) for n in range(items)]},
                       separators=(",", ":")).encode() for b in range(batches)]


async def _kiosk(client: httpx.AsyncClient, signer: RequestSigner, bodies: list[bytes], items: int,
                 result: FleetResult) -> None:
    for body in bodies:
        batch_size = items
        for _attempt in range(20):  # retry like the daemon: same items, new signature
            headers = {"Content-Type": "application/json",
                       **signer("POST", "/api/v1/transactions/batch", body)}
            try:
                r = await client.post("/api/v1/transactions/batch", content=body, headers=headers)
            except httpx.HTTPError as exc:
                result.failed_requests += 1
                result.errors.append(f"{type(exc).__name__}")
                await asyncio.sleep(0.2)
                continue
            if r.status_code in (429, 500, 502, 503):
                result.failed_requests += 1
                await asyncio.sleep(float(r.headers.get("Retry-After", "0.2")))
                continue
            r.raise_for_status()
            for res in r.json()["results"]:
                setattr(result, res["result"], getattr(result, res["result"]) + 1)
            result.sent += batch_size
            break


async def _run(urls: list[str], kiosks: int, batches: int, items: int, prefix: str) -> FleetResult:
    for url in urls:
        if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fleet simulator only talks to loopback servers")
    limits = httpx.Limits(max_connections=kiosks, max_keepalive_connections=kiosks)
    clients = [httpx.AsyncClient(base_url=u, timeout=60.0, limits=limits) for u in urls]
    result = FleetResult(kiosks=kiosks)
    try:
        signers = []
        for n in range(kiosks):
            key = Ed25519PrivateKey.generate()
            name = f"{prefix}{n:04d}"
            await _enroll(clients[n % len(clients)], name, key)
            signers.append(RequestSigner(name, key))
        # The kiosks' outboxes are written before the upload phase: what is timed is sending them.
        outboxes = [_bodies(s.kiosk_id, batches, items) for s in signers]
        started = time.perf_counter()
        await asyncio.gather(*(_kiosk(clients[n % len(clients)], s, outboxes[n], items, result)
                               for n, s in enumerate(signers)))
        result.elapsed_s = time.perf_counter() - started
    finally:
        for c in clients:
            await c.aclose()
    return result


def simulate_fleet(urls: str | list[str], kiosks: int = 200, batches: int = 3, items: int = 10,
                   prefix: str = "SIM") -> FleetResult:
    """Enroll `kiosks` simulated kiosks (spread over `urls`) and upload `batches` x `items` each, concurrently."""
    return asyncio.run(_run([urls] if isinstance(urls, str) else list(urls), kiosks, batches, items, prefix))
