"""Authenticating kiosk requests: Ed25519 request signatures with timestamp and nonce (see docs/sync.md).

A request is accepted only when its kiosk is enrolled (state read from the database on every request, so a
revocation takes effect at the next request), its timestamp is within the clock window, its signature verifies
over the canonical request, and its nonce has not been seen (the nonce insert is what refuses a replay, also
across several server processes sharing one PostgreSQL). Nothing else is stored for a refused request.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request
from sqlalchemy import Engine, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from contract.log_events import Event
from contract.refusal import KIOSK_REVOKED
from contract.request_signing import (
    HEADER_KIOSK,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    canonical_request,
    verify_signature,
)
from district.models import KioskRow, NonceRow


@dataclass(frozen=True)
class AuthenticatedKiosk:
    name: str
    clock_skew_s: float  # the kiosk's request timestamp minus the server's receive time
    nonce: str = ""
    seen_at: float = 0.0


class KioskRevoked(HTTPException):
    """403 with the machine-readable code `kiosk-revoked` in the JSON body (contract.refusal)."""

    code = KIOSK_REVOKED

    def __init__(self, kiosk: str) -> None:
        super().__init__(403, f"kiosk {kiosk!r} is revoked")


class ReplayedRequest(Exception):
    """The request's nonce was already used."""


def record_nonce(s: Session, kiosk: AuthenticatedKiosk) -> None:
    """Insert the request's nonce in the caller's transaction; raises ReplayedRequest if it was seen before.

    Endpoints that store data call this first in their own transaction, so that a request's nonce and its effects
    commit together (one commit per request instead of two).
    """
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(NonceRow).values(kiosk=kiosk.name, nonce=kiosk.nonce, seen_at=kiosk.seen_at)
    if s.execute(stmt.on_conflict_do_nothing().returning(NonceRow.nonce)).first() is None:
        raise ReplayedRequest(kiosk.nonce)


REPLAY_REASON = "replayed request (nonce already used)"
# Seconds since the epoch as RequestSigner writes them: plain digits, an optional fraction. No sign, exponent,
# "nan" or "inf": float() would take those, and a NaN skew passes every window comparison.
_TIMESTAMP = re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,9})?$")


class RateLimiter:
    """Token bucket per kiosk, in this process's memory (with N processes the fleet-wide limit is N times)."""

    def __init__(self, rate_per_s: float, burst: int, clock=time.monotonic) -> None:
        self._rate = rate_per_s
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, kiosk: str) -> float:
        """0 when the request may proceed, else the seconds to wait before the next one would."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(kiosk, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens >= 1.0:
                self._buckets[kiosk] = (tokens - 1.0, now)
                return 0.0
            self._buckets[kiosk] = (tokens, now)
            return (1.0 - tokens) / self._rate


class RequestVerifier:
    """Checks signed kiosk requests against the kiosks table and records their nonces."""

    def __init__(self, engine: Engine, window_s: float, clock=time.time) -> None:
        self._engine = engine
        self._window = window_s
        self._clock = clock
        self._inserts = 0

    def verify(self, method: str, path: str, headers: dict[str, str], body: bytes,
               record: bool = True) -> AuthenticatedKiosk:
        """Return the authenticated kiosk or raise HTTPException 401 (unknown, bad, stale, replay) / 403 (revoked).

        With `record=False` the nonce is not stored here: the caller must `record_nonce` in its own transaction.
        """
        kiosk = headers.get(HEADER_KIOSK.lower(), "")
        timestamp = headers.get(HEADER_TIMESTAMP.lower(), "")
        nonce = headers.get(HEADER_NONCE.lower(), "")
        signature = headers.get(HEADER_SIGNATURE.lower(), "")
        if not (kiosk and timestamp and nonce and signature):
            raise HTTPException(401, "unauthenticated: request signature headers missing")
        if len(nonce) < 16 or len(nonce) > 64 or len(kiosk) > 64:
            raise HTTPException(401, "unauthenticated: malformed nonce or kiosk id")
        now = self._clock()
        skew = float(timestamp) - now if _TIMESTAMP.match(timestamp) else math.nan
        if not math.isfinite(skew):
            raise HTTPException(401, "unauthenticated: malformed timestamp (seconds since the epoch, finite)")
        with Session(self._engine) as s:
            row = s.get(KioskRow, kiosk)
            state, public_key = (row.state, row.public_key) if row is not None else ("unknown", None)
        if state == "revoked":
            raise KioskRevoked(kiosk)
        if state != "enrolled" or not public_key:
            raise HTTPException(401, f"kiosk {kiosk!r} is not enrolled")
        if abs(skew) > self._window:
            raise HTTPException(401, f"request timestamp is {skew:+.0f} s from server time (window "
                                     f"{self._window:.0f} s)")
        if not verify_signature(public_key, signature, canonical_request(method, path, timestamp, nonce, kiosk,
                                                                         body)):
            raise HTTPException(401, "bad request signature")
        who = AuthenticatedKiosk(name=kiosk, clock_skew_s=skew, nonce=nonce, seen_at=now)
        self._inserts += 1
        if self._inserts % 500 == 0:  # nonces older than twice the window can no longer be replayed anyway
            with Session(self._engine) as s, s.begin():
                s.execute(delete(NonceRow).where(NonceRow.seen_at < now - 2 * self._window))
        if record:
            try:
                with Session(self._engine) as s, s.begin():
                    record_nonce(s, who)
            except ReplayedRequest:
                raise HTTPException(401, REPLAY_REASON) from None
        return who


def source_address(request: Request) -> str:
    """The peer address of the connection (behind a reverse proxy: the proxy's)."""
    return request.client.host if request.client else "unknown"


async def limited_by_address(request: Request) -> None:
    """FastAPI dependency of the unauthenticated endpoints: a token bucket per source address (429 when empty)."""
    state = request.app.state
    address = source_address(request)
    wait = state.address_rate_limiter.take(address)
    if wait > 0:
        state.eventlog.log(Event.DISTRICT_REQUEST_REFUSED, status=429, reason="rate limit (source address)",
                           path=request.url.path)
        raise HTTPException(429, "rate limit exceeded", headers={"Retry-After": f"{max(1, round(wait))}"})


async def authenticated_kiosk(request: Request) -> AuthenticatedKiosk:
    """FastAPI dependency: verify the request signature and record its nonce, then the kiosk's rate limit."""
    return await _authenticate(request, record=True)


async def signed_kiosk(request: Request) -> AuthenticatedKiosk:
    """Like `authenticated_kiosk`, but the endpoint records the nonce in its own transaction (record_nonce)."""
    return await _authenticate(request, record=False)


async def _authenticate(request: Request, record: bool) -> AuthenticatedKiosk:
    state = request.app.state
    body = await request.body()
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        kiosk = await run_in_threadpool(state.verifier.verify, request.method, path, headers, body, record)
    except HTTPException as exc:
        state.eventlog.log(Event.DISTRICT_REQUEST_REFUSED, status=exc.status_code, reason=exc.detail,
                           path=request.url.path)
        raise
    wait = state.rate_limiter.take(kiosk.name)
    if wait > 0:
        state.eventlog.log(Event.DISTRICT_REQUEST_REFUSED, status=429, reason="rate limit", kiosk=kiosk.name)
        raise HTTPException(429, "rate limit exceeded", headers={"Retry-After": f"{max(1, round(wait))}"})
    return kiosk
