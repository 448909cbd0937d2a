"""The district's register of kiosks: issuing one-time enrollment tokens, binding keys, revoking."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from district.models import KioskRow

KIOSK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class EnrollmentRefused(Exception):
    """Enrollment was refused; `status` is the HTTP status to answer with (401, 403 or 409)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Enrolled:
    name: str
    already: bool  # the same key was already bound (a kiosk repeating an enrollment whose answer it lost)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_kiosk(engine: Engine, name: str) -> str:
    """Register `name` (or re-issue its token while not yet enrolled) and return a new one-time token."""
    if not KIOSK_NAME.match(name):
        raise ValueError(f"kiosk name {name!r}: letters, digits, '.', '_', '-' only, at most 64")
    token = secrets.token_urlsafe(24)
    with Session(engine) as s, s.begin():
        row = s.get(KioskRow, name)
        if row is None:
            s.add(KioskRow(name=name, state="pending", token_sha256=_token_hash(token), created_at=time.time(),
                           duplicates_refused=0))
        elif row.state == "pending":
            row.token_sha256 = _token_hash(token)
        else:
            raise ValueError(f"kiosk {name!r} is {row.state}; revoked names are never reused")
    return token


def revoke_kiosk(engine: Engine, name: str) -> None:
    """Revoke `name`: every later request of it gets 403. Raises KeyError when unknown."""
    with Session(engine) as s, s.begin():
        row = s.get(KioskRow, name)
        if row is None:
            raise KeyError(name)
        row.state = "revoked"
        row.token_sha256 = None
        row.revoked_at = time.time()


def enroll(engine: Engine, name: str, public_key_hex: str, token: str | None, demo_loopback: bool) -> Enrolled:
    """Bind `public_key_hex` to kiosk `name` with its one-time `token` (or freely when `demo_loopback`).

    Repeating an enrollment with the key already bound succeeds (the kiosk may have crashed before storing the
    answer). Another key for an enrolled kiosk is refused in every mode: whoever could rebind a kiosk's name
    could speak for it, so re-keying is left to an operator. Raises EnrollmentRefused.
    """
    if not KIOSK_NAME.match(name):
        raise EnrollmentRefused(401, "malformed kiosk name")
    try:
        if len(bytes.fromhex(public_key_hex)) != 32:
            raise ValueError
    except ValueError:
        raise EnrollmentRefused(401, "public key must be 32 bytes of Ed25519, hex") from None
    with Session(engine) as s, s.begin():
        row = s.get(KioskRow, name)
        if row is not None and row.state == "revoked":
            raise EnrollmentRefused(403, f"kiosk {name!r} is revoked")
        if row is not None and row.state == "enrolled":
            if hmac.compare_digest(row.public_key or "", public_key_hex):
                return Enrolled(name, already=True)
            raise EnrollmentRefused(409, f"kiosk {name!r} is already enrolled with another key; re-keying is "
                                         f"an operator action")
        elif token:
            if row is None or row.token_sha256 is None or not hmac.compare_digest(row.token_sha256,
                                                                                  _token_hash(token)):
                raise EnrollmentRefused(401, "enrollment token unknown or already used")
        elif not demo_loopback:
            raise EnrollmentRefused(401, "an enrollment token is required")
        if row is None:
            row = KioskRow(name=name, state="pending", created_at=time.time(), duplicates_refused=0)
            s.add(row)
        row.state = "enrolled"
        row.public_key = public_key_hex
        row.token_sha256 = None
        row.enrolled_at = time.time()
    return Enrolled(name, already=False)


def kiosk_states(engine: Engine) -> dict[str, str]:
    """Every known kiosk and its state (for `kiosk-district kiosk list`)."""
    with Session(engine) as s:
        return dict(s.execute(select(KioskRow.name, KioskRow.state)).all())
