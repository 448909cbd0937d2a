"""The technicians' PIN: set on each kiosk at provisioning, kept as a slow hash, locked out after failures.

There is no default PIN. Until `kiosk technician set-pin` has run on this kiosk, `verify` answers
NOT_PROVISIONED and the technicians' mode cannot be entered at all. The PIN is stored as an scrypt hash
(RFC 7914, N=2^15, r=8, p=1: ~32 MiB and tens of milliseconds per guess) with a random salt in
`<data>/technician-pin.json` (0600), so a copy of the disk does not give it away cheaply.

Failed tries are counted in `<data>/technician-pin-attempts.json` (0600). A try is counted on disk *before* the
PIN is compared and forgiven only once it matched, the way a smart card decrements its try counter first: cutting
the power after a wrong guess does not give the guess back. After `free_attempts` failures every further try
waits a lockout that doubles with each failure, up to `max_lock_s`. The lockout is kept in wall-clock seconds
because it must survive a restart; a clock set back only makes it longer.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from contract.atomic_write import write_atomic
from contract.eventlog import EventLog, NullEventLog
from contract.log_events import Event
from kiosk.errors import TechnicianPinError

PIN_FILE = "technician-pin.json"
ATTEMPTS_FILE = "technician-pin-attempts.json"
LOCK_FILE = ".technician-pin.lock"
MIN_DIGITS, MAX_DIGITS = 6, 12


class PinCheck(str, Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LOCKED_OUT = "locked-out"  # too many failures: not even compared until the lockout has passed
    NOT_PROVISIONED = "not-provisioned"  # no PIN was ever set on this kiosk: the mode stays closed


@dataclass(frozen=True)
class PinVerdict:
    outcome: PinCheck
    failures: int = 0  # consecutive failures so far
    retry_after_s: float = 0.0  # how long the next try must wait (0: now)

    @property
    def accepted(self) -> bool:
        return self.outcome is PinCheck.ACCEPTED


@dataclass(frozen=True)
class LockoutPolicy:
    free_attempts: int = 5  # failures allowed before the first lockout
    first_lock_s: float = 30.0
    max_lock_s: float = 3600.0

    def lock_s(self, failures: int) -> float:
        """How long tries wait after `failures` consecutive failures."""
        if failures < self.free_attempts:
            return 0.0
        return min(self.max_lock_s, self.first_lock_s * 2.0 ** (failures - self.free_attempts))


@dataclass(frozen=True)
class ScryptParams:
    n: int = 2 ** 15
    r: int = 8
    p: int = 1
    length: int = 32


def check_pin_format(pin: str) -> None:
    """Refuse a PIN that is not 6-12 digits, or that is guessed first (one repeated digit, a straight run)."""
    if not (pin.isascii() and pin.isdigit()) or not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise TechnicianPinError(f"the PIN must be {MIN_DIGITS} to {MAX_DIGITS} digits")
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({0}, {1}, {9}):
        raise TechnicianPinError("the PIN must not be one repeated digit or a run like 123456 (guessed first)")


class TechnicianPin:
    """The PIN of one kiosk, in its data folder; the technicians' mode asks `verify` before it opens."""

    def __init__(self, data_dir: Path, policy: LockoutPolicy | None = None, params: ScryptParams | None = None,
                 clock: Callable[[], float] = time.time, log: EventLog | None = None) -> None:
        self._pin_path = Path(data_dir) / PIN_FILE
        self._attempts_path = Path(data_dir) / ATTEMPTS_FILE
        self._lock_path = Path(data_dir) / LOCK_FILE
        self._policy = policy or LockoutPolicy()
        self._params = params or ScryptParams()
        self._clock = clock
        self._log = log or NullEventLog()

    def is_provisioned(self) -> bool:
        return self._stored() is not None

    def set_pin(self, pin: str) -> None:
        """Provision (or replace) the PIN; forgives past failures. Raises TechnicianPinError on a weak PIN."""
        check_pin_format(pin)
        salt = os.urandom(16)
        p = self._params
        record = {"version": 1, "kdf": "scrypt", "n": p.n, "r": p.r, "p": p.p, "salt": _b64(salt),
                  "hash": _b64(_scrypt(salt, p.n, p.r, p.p, p.length).derive(pin.encode()))}
        with self._exclusive():
            write_atomic(self._pin_path, json.dumps(record).encode(), mode=0o600)
            self._write_attempts(0, 0.0)
        self._log.log(Event.TECHNICIAN_PIN_SET)

    def verify(self, pin: str) -> PinVerdict:
        """Compare `pin` with the stored hash, counting the try first; see the module's docstring."""
        with self._exclusive():  # two tries at once (the shell and the CLI) must not share one count
            verdict = self._verify(pin)
        return self._logged(verdict)

    def _verify(self, pin: str) -> PinVerdict:
        record = self._stored()
        if record is None:
            return PinVerdict(PinCheck.NOT_PROVISIONED)
        failures, locked_until = self._read_attempts()
        now = self._clock()
        if now < locked_until:
            return PinVerdict(PinCheck.LOCKED_OUT, failures, locked_until - now)
        failures += 1
        lock = self._policy.lock_s(failures)
        self._write_attempts(failures, now + lock)  # counted before comparing: see the docstring
        if _matches(record, pin):
            self._write_attempts(0, 0.0)
            return PinVerdict(PinCheck.ACCEPTED)
        return PinVerdict(PinCheck.REJECTED, failures, lock)

    def status(self) -> dict[str, Any]:
        """Whether a PIN is set, the failures so far and the seconds left of a lockout (no secret)."""
        failures, locked_until = self._read_attempts()
        return {"provisioned": self.is_provisioned(), "failures": failures,
                "locked_for_s": round(max(0.0, locked_until - self._clock()), 1)}

    # --- files ---------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """An advisory lock on the data folder's PIN files, across threads and processes."""
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _stored(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self._pin_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise TechnicianPinError(f"{self._pin_path} is unreadable ({exc}): set the PIN again") from exc
        if not isinstance(record, dict) or record.get("kdf") != "scrypt" or record.get("version") != 1:
            raise TechnicianPinError(f"{self._pin_path} is not a PIN record this kiosk knows: set the PIN again")
        return record

    def _read_attempts(self) -> tuple[int, float]:
        try:
            data = json.loads(self._attempts_path.read_text(encoding="utf-8"))
            return int(data["failures"]), float(data["locked_until"])
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged counter must not reopen the door: locked until the PIN is set again (which rewrites it).
            return self._policy.free_attempts, self._clock() + self._policy.max_lock_s

    def _write_attempts(self, failures: int, locked_until: float) -> None:
        body = json.dumps({"failures": failures, "locked_until": locked_until}).encode()
        write_atomic(self._attempts_path, body, mode=0o600)

    def _logged(self, verdict: PinVerdict) -> PinVerdict:
        self._log.log(Event.TECHNICIAN_PIN_CHECKED, outcome=verdict.outcome.value, failures=verdict.failures,
                      retry_after_s=round(verdict.retry_after_s, 1))
        return verdict


def _scrypt(salt: bytes, n: int, r: int, p: int, length: int) -> Scrypt:
    return Scrypt(salt=salt, length=length, n=n, r=r, p=p)


def _matches(record: dict[str, Any], pin: str) -> bool:
    try:
        salt, expected = base64.b64decode(record["salt"]), base64.b64decode(record["hash"])
        kdf = _scrypt(salt, int(record["n"]), int(record["r"]), int(record["p"]), len(expected))
    except (KeyError, ValueError, TypeError) as exc:
        raise TechnicianPinError(f"the stored PIN record is damaged ({exc}): set the PIN again") from exc
    try:
        kdf.verify(pin.encode(), expected)  # constant-time comparison inside
    except InvalidKey:
        return False
    return True


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
