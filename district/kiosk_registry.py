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

from contract.refusal import KIOSK_REVOKED
from district.models import KioskRow

KIOSK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class EnrollmentRefused(Exception):
    """Enrollment was refused; `status` is the HTTP status to answer with (401, 403 or 409)."""

    def __init__(self, status: int, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.code = code  # contract.refusal code, when the kiosk must act on it


@dataclass(frozen=True)
class Enrolled:
    name: str
    already: bool  # the same key was already bound (a kiosk repeating an enrollment whose answer it lost)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KioskExists(ValueError):
    """`kiosk add` of a name the district already has (without --replace), or a replace it does not allow."""


def enrollment_token() -> str:
    """A one-time enrollment token: 192 random bits, URL-safe, never starting with '-'.

    The technician passes it on a command line (`kiosk enroll --token T`, `kiosk-sync --token T`), where a value
    starting with '-' is taken for an option and refused; one token in 64 did.
    """
    while True:
        token = secrets.token_urlsafe(24)
        if not token.startswith("-"):
            return token


def add_kiosk(engine: Engine, name: str, replace: bool = False) -> str:
    """Register `name` and return its new one-time enrollment token.

    A name the district already has is refused (KioskExists) unless `replace`: then a pending or enrolled kiosk gets
    a new token and loses its old token and key (it must enroll again, with a new key). A revoked kiosk is re-admitted
    with `readmit_kiosk`, never by replacing it.
    """
    if not KIOSK_NAME.match(name):
        raise ValueError(f"kiosk name {name!r}: letters, digits, '.', '_', '-' only, at most 64")
    token = enrollment_token()
    with Session(engine) as s, s.begin():
        row = s.get(KioskRow, name)
        if row is None:
            s.add(KioskRow(name=name, state="pending", token_sha256=_token_hash(token), created_at=time.time(),
                           duplicates_refused=0))
        elif not replace:
            raise KioskExists(f"kiosk {name!r} already exists ({row.state}); give --replace to issue a new token "
                              "and void its old token and key" + (", or `kiosk readmit` it" if row.state == "revoked"
                                                                  else ""))
        elif row.state == "revoked":
            raise KioskExists(f"kiosk {name!r} is revoked: re-admit it with `kiosk-district kiosk readmit {name}`")
        else:
            _void_and_reissue(row, token)
    return token


def readmit_kiosk(engine: Engine, name: str) -> str:
    """Re-admit the revoked kiosk `name` (repaired): a new one-time token; its old key stays void.

    Raises KeyError when unknown, ValueError when it is not revoked.
    """
    token = enrollment_token()
    with Session(engine) as s, s.begin():
        row = s.get(KioskRow, name)
        if row is None:
            raise KeyError(name)
        if row.state != "revoked":
            raise ValueError(f"kiosk {name!r} is {row.state}, not revoked: nothing to re-admit")
        _void_and_reissue(row, token)
    return token


def _void_and_reissue(row: KioskRow, token: str) -> None:
    # Back to pending with a new token. The old public key stays in the row only as the key that may never be
    # bound again (enroll refuses it): requests are authenticated for enrolled kiosks only, so it opens nothing.
    row.state = "pending"
    row.token_sha256 = _token_hash(token)
    row.enrolled_at = None


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
            raise EnrollmentRefused(403, f"kiosk {name!r} is revoked", KIOSK_REVOKED)
        if row is not None and row.state == "enrolled":
            if hmac.compare_digest(row.public_key or "", public_key_hex):
                return Enrolled(name, already=True)
            raise EnrollmentRefused(409, f"kiosk {name!r} is already enrolled with another key; re-keying is "
                                         f"an operator action (kiosk-district kiosk readmit)")
        elif row is not None and row.public_key and hmac.compare_digest(row.public_key, public_key_hex):
            # pending with a public key: re-admitted or replaced, and this is the key that was voided
            raise EnrollmentRefused(401, f"kiosk {name!r}: this key was voided when the kiosk was re-admitted "
                                         "or replaced; enroll with a new key")
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
