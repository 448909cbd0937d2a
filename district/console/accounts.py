"""Console accounts: roles, Argon2id password hashes, lockout after repeated failures, API tokens for scripts.

Used by `kiosk-district operator ...` and by the console's login. Nothing here knows about HTTP.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from district.console.models import ApiTokenRow, OperatorRow, OperatorSessionRow

ROLES = ("viewer", "staff", "operator", "admin")
# What each role may change; every role may read every page. staff: the help queue and assisted verification;
# operator: kiosks, catalog, certificates (and the staff queue, which it oversees); admin: accounts too.
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset(),
    "staff": frozenset({"help"}),
    "operator": frozenset({"help", "kiosks", "catalog", "documents"}),
    "admin": frozenset({"help", "kiosks", "catalog", "documents", "accounts"}),
}
OPERATOR_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 12
_HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106's second recommended parameter set
_DUMMY_HASH = _HASHER.hash("never a password: equalises the time of unknown-account logins")


class AccountError(ValueError):
    """An account change that cannot be made (bad name, role or password; existing account)."""


class UnknownOperator(KeyError):
    pass


@dataclass(frozen=True)
class Operator:
    name: str
    role: str
    must_change_password: bool = False
    disabled: bool = False
    locked_until: float | None = None

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())


class LoginRefused(Exception):
    """`reason`: "credentials" (unknown name or wrong password: the page never says which), "locked", "disabled"."""

    def __init__(self, reason: str, name: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.name = name


def _operator(row: OperatorRow) -> Operator:
    return Operator(row.name, row.role, bool(row.must_change_password), bool(row.disabled), row.locked_until)


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError("a password may have at most 1024 characters")


def add_operator(engine: Engine, name: str, role: str, password: str | None = None) -> tuple[Operator, str | None]:
    """Create an account. Without `password` a one-time password is generated and returned (it must be changed
    at first login). Raises AccountError."""
    if not OPERATOR_NAME.match(name):
        raise AccountError(f"operator name {name!r}: letters, digits, '.', '_', '-' only, at most 64")
    if role not in ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ROLES)}")
    one_time = None
    if password is None:
        one_time = password = secrets.token_urlsafe(12)
    check_password_policy(password)
    with Session(engine) as s, s.begin():
        if s.get(OperatorRow, name) is not None:
            raise AccountError(f"operator {name!r} already exists")
        row = OperatorRow(name=name, role=role, password_hash=_HASHER.hash(password),
                          must_change_password=one_time is not None, disabled=False, failed_logins=0,
                          locked_until=None, created_at=time.time())
        s.add(row)
        return _operator(row), one_time


def list_operators(engine: Engine) -> list[Operator]:
    with Session(engine) as s:
        return [_operator(r) for r in s.scalars(select(OperatorRow).order_by(OperatorRow.name))]


def find_operator(engine: Engine, name: str) -> Operator | None:
    with Session(engine) as s:
        row = s.get(OperatorRow, name)
        return _operator(row) if row is not None else None


def disable_operator(engine: Engine, name: str) -> None:
    """Disable `name`: its sessions end and its API tokens stop working at once. UnknownOperator when absent."""
    with Session(engine) as s, s.begin():
        row = s.get(OperatorRow, name)
        if row is None:
            raise UnknownOperator(name)
        row.disabled = True
        s.query(OperatorSessionRow).filter(OperatorSessionRow.operator == name).delete()


def login(engine: Engine, name: str, password: str, max_failures: int, lockout_s: float,
          now: float | None = None) -> Operator:
    """Check `name`'s password. Raises LoginRefused; `max_failures` wrong passwords in a row lock the account for
    `lockout_s` (a right password during the lock is refused too, so guessing gains nothing)."""
    now = time.time() if now is None else now
    with Session(engine) as s, s.begin():
        row = s.scalars(select(OperatorRow).where(OperatorRow.name == name).with_for_update()).first()
        if row is None:
            _verify(_DUMMY_HASH, password)
            raise LoginRefused("credentials", name)
        if row.locked_until is not None and row.locked_until > now:
            raise LoginRefused("locked", name)
        if not _verify(row.password_hash, password):
            row.failed_logins += 1
            if row.failed_logins >= max_failures:
                row.locked_until, row.failed_logins = now + lockout_s, 0
            locked = row.locked_until is not None and row.locked_until > now
            s.commit()
            raise LoginRefused("locked" if locked else "credentials", name)
        if row.disabled:
            raise LoginRefused("disabled", name)
        row.failed_logins, row.locked_until = 0, None
        if _HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = _HASHER.hash(password)
        return _operator(row)


def _verify(encoded: str, password: str) -> bool:
    try:
        return _HASHER.verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(engine: Engine, name: str, old: str, new: str) -> None:
    """Set a new password after checking the old one (also ends the one-time-password state). AccountError."""
    check_password_policy(new)
    if new == old:
        raise AccountError("the new password must differ from the old one")
    with Session(engine) as s, s.begin():
        row = s.get(OperatorRow, name)
        if row is None or row.disabled or not _verify(row.password_hash, old):
            raise AccountError("the current password is wrong")
        row.password_hash = _HASHER.hash(new)
        row.must_change_password = False


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(engine: Engine, name: str) -> str:
    """A new bearer token acting as `name` (shown once; only its hash is kept). UnknownOperator/AccountError."""
    token = "kdc_" + secrets.token_urlsafe(32)
    with Session(engine) as s, s.begin():
        row = s.get(OperatorRow, name)
        if row is None:
            raise UnknownOperator(name)
        if row.disabled:
            raise AccountError(f"operator {name!r} is disabled")
        s.add(ApiTokenRow(token_sha256=_sha(token), operator=name, created_at=time.time(), revoked_at=None))
    return token


def operator_for_token(engine: Engine, token: str) -> Operator | None:
    """The enabled operator a bearer token acts as, or None."""
    with Session(engine) as s:
        tok = s.get(ApiTokenRow, _sha(token))
        if tok is None or tok.revoked_at is not None:
            return None
        row = s.get(OperatorRow, tok.operator)
        if row is None or row.disabled or row.must_change_password:
            return None
        return _operator(row)
