"""Authenticating kiosk requests: Ed25519 request signatures with timestamp and nonce (see docs/sync.md).

A request is accepted only when its kiosk is enrolled (state read from the database on every request, so a
revocation takes effect at the next request), its timestamp is within the clock window, its signature verifies
over the canonical request, and its nonce has not been seen (the nonce insert is what refuses a replay, also
across several server processes sharing one PostgreSQL). Nothing else is stored for a refused request.

Nothing about a request is kept in a process's memory: nonces and the rate-limit buckets (district.rate_limits)
live in the database, so any number of server processes behind a reverse proxy behave as one.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request
from sqlalchemy import Engine, delete, text
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
from district.models import NonceRow
from district.rate_limits import SharedRateLimiter


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


# Plain SQL, the same for PostgreSQL and SQLite: built once, so no request pays for compiling it (the ORM insert
# construct was compiled again on every request: ~10 % of a busy ingest server's CPU).
_RECORD_NONCE = text("INSERT INTO request_nonces (kiosk, nonce, seen_at) VALUES (:kiosk, :nonce, :seen_at) "
                     "ON CONFLICT DO NOTHING RETURNING nonce")
_KIOSK_KEY = text("SELECT state, public_key FROM kiosks WHERE name = :name")


def record_nonce(s: Session, kiosk: AuthenticatedKiosk) -> None:
    """Insert the request's nonce in the caller's transaction; raises ReplayedRequest if it was seen before.

    Endpoints that store data call this first in their own transaction, so that a request's nonce and its effects
    commit together (one commit per request instead of two).
    """
    done = s.execute(_RECORD_NONCE, {"kiosk": kiosk.name, "nonce": kiosk.nonce, "seen_at": kiosk.seen_at})
    if done.first() is None:
        raise ReplayedRequest(kiosk.nonce)


REPLAY_REASON = "replayed request (nonce already used)"
# Seconds since the epoch as RequestSigner writes them: plain digits, an optional fraction. No sign, exponent,
# "nan" or "inf": float() would take those, and a NaN skew passes every window comparison.
_TIMESTAMP = re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,9})?$")


class RateLimited(Exception):
    """The kiosk's (or address's) rate-limit bucket is empty; `wait_s` until the next token."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"rate limit: retry in {wait_s:.1f} s")
        self.wait_s = wait_s


class AdmissionRefused(Exception):
    """An authenticated request whose rate-limit token or nonce was refused: `cause` is RateLimited or
    ReplayedRequest (raised out of the endpoint's transaction, so nothing it did is kept)."""

    def __init__(self, kiosk: str, cause: RateLimited | ReplayedRequest) -> None:
        super().__init__(str(cause))
        self.kiosk = kiosk
        self.cause = cause


def refusal_answer(state, refused: AdmissionRefused) -> HTTPException:
    """Log `refused` and the HTTPException to answer it with (401 replay, 429 with Retry-After)."""
    if isinstance(refused.cause, ReplayedRequest):
        state.eventlog.log(Event.DISTRICT_REQUEST_REFUSED, status=401, reason=REPLAY_REASON, kiosk=refused.kiosk)
        return HTTPException(401, REPLAY_REASON)
    state.eventlog.log(Event.DISTRICT_REQUEST_REFUSED, status=429, reason="rate limit", kiosk=refused.kiosk)
    return too_many_requests(refused.cause.wait_s)


def too_many_requests(wait_s: float) -> HTTPException:
    return HTTPException(429, "rate limit exceeded", headers={"Retry-After": f"{max(1, math.ceil(wait_s))}"})


def admit(s: Session, kiosk: AuthenticatedKiosk, limiter: SharedRateLimiter) -> None:
    """Take the kiosk's rate-limit token and record the request's nonce, in the caller's transaction (one commit
    with the request's effects). Raises RateLimited or ReplayedRequest: the caller's transaction then rolls back,
    so a refused request leaves neither a token taken nor a nonce behind."""
    wait = limiter.take(s, kiosk.name)
    if wait > 0:
        raise RateLimited(wait)
    record_nonce(s, kiosk)


class RequestVerifier:
    """Checks signed kiosk requests against the kiosks table; records their nonces and takes their rate-limit
    tokens (`limiter`, shared by every server process)."""

    def __init__(self, engine: Engine, window_s: float, limiter: SharedRateLimiter, clock=time.time) -> None:
        self._engine = engine
        self._window = window_s
        self.limiter = limiter
        self._clock = clock
        self._inserts = 0

    def verify(self, method: str, path: str, headers: dict[str, str], body: bytes,
               record: bool = True) -> AuthenticatedKiosk:
        """Return the authenticated kiosk or raise HTTPException 401 (unknown, bad, stale, replay) / 403 (revoked)
        / 429 (rate limit).

        With `record=False` neither the nonce nor the rate-limit token is taken here: the caller must `admit` the
        request in its own transaction.
        """
        with Session(self._engine) as s, s.begin():
            # One transaction: the kiosk's state, then (a valid request) its token and nonce, one commit.
            who = self.check(s, method, path, headers, body)
            if record:
                try:
                    admit(s, who, self.limiter)
                except ReplayedRequest:
                    raise HTTPException(401, REPLAY_REASON) from None
                except RateLimited as exc:
                    raise too_many_requests(exc.wait_s) from None
        self.admitted(who.seen_at)
        return who

    def check(self, s: Session, method: str, path: str, headers: dict[str, str], body: bytes,
              kiosk_row: tuple[str, str | None] | None = None) -> AuthenticatedKiosk:
        """`verify` without taking the token or the nonce, in the caller's transaction `s` (an endpoint that
        writes anyway authenticates, admits and stores in one transaction). `kiosk_row`: (state, public key) of the
        kiosk when the caller read it already (None: read here)."""
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
        if kiosk_row is None:
            row = s.execute(_KIOSK_KEY, {"name": kiosk}).first()
            kiosk_row = (row.state, row.public_key) if row is not None else ("unknown", None)
        state, public_key = kiosk_row
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
        return AuthenticatedKiosk(name=kiosk, clock_skew_s=skew, nonce=nonce, seen_at=now)

    def admitted(self, now: float) -> None:
        """Count a request admitted (its nonce recorded) and, every 500, delete the nonces older than twice the
        window (they can no longer be replayed anyway) and the full rate-limit buckets. Call it after the commit."""
        self._inserts += 1
        if self._inserts % 500 == 0:
            with Session(self._engine) as s, s.begin():
                s.execute(delete(NonceRow).where(NonceRow.seen_at < now - 2 * self._window))
            self.limiter.prune()


def source_address(request: Request) -> str:
    """The peer address of the connection (behind a reverse proxy: the proxy's)."""
    return request.client.host if request.client else "unknown"


async def limited_by_address(request: Request) -> None:
    """FastAPI dependency of the unauthenticated endpoints: a token bucket per source address (429 when empty)."""
    state = request.app.state
    address = source_address(request)
    wait = await run_in_threadpool(state.address_rate_limiter.take_now, address)
    if wait > 0:
        state.eventlog.log(Event.DISTRICT_REQUEST_REFUSED, status=429, reason="rate limit (source address)",
                           path=request.url.path)
        raise too_many_requests(wait)


async def authenticated_kiosk(request: Request) -> AuthenticatedKiosk:
    """FastAPI dependency: verify the request signature, take the kiosk's rate-limit token, record its nonce."""
    return await _authenticate(request, record=True)


async def _authenticate(request: Request, record: bool) -> AuthenticatedKiosk:
    state = request.app.state
    body = await request.body()
    path = signed_path(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        kiosk = await run_in_threadpool(state.verifier.verify, request.method, path, headers, body, record)
    except HTTPException as exc:
        log_refused(state, exc, request.url.path, headers)
        raise
    return kiosk


def signed_path(request: Request) -> str:
    """The path and query a kiosk's request signature covers."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def log_refused(state, exc: HTTPException, path: str, headers: dict[str, str]) -> None:
    """The district's record of a kiosk request refused by authentication (401, 403, 429)."""
    state.eventlog.log(Event.DISTRICT_REQUEST_REFUSED, status=exc.status_code, reason=exc.detail, path=path,
                       **({"kiosk": headers.get(HEADER_KIOSK.lower(), "")[:64]} if exc.status_code == 429 else {}))
