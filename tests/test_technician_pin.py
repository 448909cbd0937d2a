"""Issue 17.3: no shared technicians' PIN; each kiosk's is set at provisioning, kept as a slow hash, and locked
out after repeated failures, with the counter on disk."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.errors import TechnicianPinError
from kiosk.technician_pin import (
    ATTEMPTS_FILE,
    PIN_FILE,
    LockoutPolicy,
    PinCheck,
    TechnicianPin,
    _scrypt,
)

REPO = Path(__file__).resolve().parents[1]
PIN = "480917"


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


def test_the_kdf_is_scrypt_by_rfc_7914():
    """RFC 7914 §12, the second test vector ("password", "NaCl", N=1024, r=8, p=16, dkLen=64)."""
    expected = ("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830da"
                "c727afb94a83ee6d8360cbdfa2cc0640")
    assert _scrypt(b"NaCl", 1024, 8, 16, 64).derive(b"password").hex() == expected


def test_no_pin_no_entry(tmp_path):
    """Without provisioning nothing opens the technicians' mode: not the old shared 2468, not anything."""
    pins = TechnicianPin(tmp_path)
    assert not pins.is_provisioned()
    for guess in ("2468", "", "000000", PIN):
        verdict = pins.verify(guess)
        assert verdict.outcome is PinCheck.NOT_PROVISIONED and not verdict.accepted
    assert not (tmp_path / PIN_FILE).exists()


def test_the_pin_is_stored_as_a_slow_salted_hash_readable_by_the_owner_only(tmp_path):
    pins = TechnicianPin(tmp_path)
    pins.set_pin(PIN)
    path = tmp_path / PIN_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / ATTEMPTS_FILE).stat().st_mode) == 0o600
    raw = path.read_text()
    assert PIN not in raw
    record = json.loads(raw)
    assert record["kdf"] == "scrypt" and record["n"] >= 2 ** 15 and record["r"] >= 8
    salt, stored = base64.b64decode(record["salt"]), base64.b64decode(record["hash"])
    assert len(salt) >= 16
    # recomputed with another implementation (the standard library's), from the record's own parameters
    assert hashlib.scrypt(PIN.encode(), salt=salt, n=record["n"], r=record["r"], p=record["p"],
                          dklen=len(stored), maxmem=2 ** 26) == stored
    TechnicianPin(tmp_path).set_pin(PIN)
    assert json.loads(path.read_text())["salt"] != record["salt"], "a fresh salt each time"


@pytest.mark.parametrize("weak", ["2468", "12345", "1234567890123", "48a917", "４８０９１７", "111111", "123456",
                                  "987654", "890123"])
def test_weak_pins_are_refused_and_change_nothing(tmp_path, weak):
    pins = TechnicianPin(tmp_path)
    with pytest.raises(TechnicianPinError):
        pins.set_pin(weak)
    assert not pins.is_provisioned()


def test_right_and_wrong_pins(tmp_path):
    pins = TechnicianPin(tmp_path)
    pins.set_pin(PIN)
    wrong = pins.verify("480918")
    assert wrong.outcome is PinCheck.REJECTED and wrong.failures == 1 and wrong.retry_after_s == 0
    assert pins.verify(PIN).accepted
    assert pins.status() == {"provisioned": True, "failures": 0, "locked_for_s": 0.0}


def test_lockout_after_repeated_failures_doubles_and_survives_a_restart(tmp_path):
    clock = Clock()
    policy = LockoutPolicy(free_attempts=3, first_lock_s=30.0, max_lock_s=100.0)
    TechnicianPin(tmp_path, policy, clock=clock).set_pin(PIN)
    pins = TechnicianPin(tmp_path, policy, clock=clock)
    assert [pins.verify("000001").retry_after_s for _ in range(2)] == [0.0, 0.0]
    third = pins.verify("000001")
    assert third.outcome is PinCheck.REJECTED and third.failures == 3 and third.retry_after_s == 30.0
    # the right PIN during the lockout is not even compared
    restarted = TechnicianPin(tmp_path, policy, clock=clock)  # a restart does not forget the failures
    locked = restarted.verify(PIN)
    assert locked.outcome is PinCheck.LOCKED_OUT and locked.failures == 3 and locked.retry_after_s == 30.0
    clock.t += 29.0
    assert restarted.verify(PIN).outcome is PinCheck.LOCKED_OUT
    clock.t += 1.0
    fourth = restarted.verify("000001")
    assert fourth.failures == 4 and fourth.retry_after_s == 60.0  # doubled
    clock.t += 60.0
    assert restarted.verify("000001").retry_after_s == 100.0  # 120 capped
    clock.t += 100.0
    assert restarted.verify(PIN).accepted
    assert restarted.status()["failures"] == 0


def test_a_try_is_counted_before_the_pin_is_compared(tmp_path, monkeypatch):
    """Cutting the power while the PIN is being compared must not give the guess back."""
    pins = TechnicianPin(tmp_path)
    pins.set_pin(PIN)

    def power_cut(record, pin):
        raise SystemExit("power cut")

    monkeypatch.setattr("kiosk.technician_pin._matches", power_cut)
    with pytest.raises(SystemExit):
        pins.verify("000001")
    assert json.loads((tmp_path / ATTEMPTS_FILE).read_text())["failures"] == 1


def test_a_damaged_counter_locks_instead_of_reopening(tmp_path):
    pins = TechnicianPin(tmp_path)
    pins.set_pin(PIN)
    (tmp_path / ATTEMPTS_FILE).write_text("{not json")
    assert pins.verify(PIN).outcome is PinCheck.LOCKED_OUT
    pins.set_pin(PIN)  # provisioning again is the way out
    assert pins.verify(PIN).accepted


def test_a_damaged_pin_record_is_a_clear_error(tmp_path):
    (tmp_path / PIN_FILE).write_text('{"version": 1, "kdf": "md5"}')
    with pytest.raises(TechnicianPinError, match="set the PIN again"):
        TechnicianPin(tmp_path).verify(PIN)


def kiosk(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "technician", *args, "--data", str(data)],
                          cwd=REPO, input=stdin, capture_output=True, text=True, timeout=60)


def test_provisioning_and_checking_from_the_command_line(tmp_path):
    data = tmp_path / "kiosk"
    assert kiosk(data, "check-pin", stdin="2468\n").returncode == 4  # not provisioned
    weak = kiosk(data, "set-pin", stdin="2468\n")
    assert weak.returncode == 2 and "6 to 12 digits" in weak.stderr and not (data / PIN_FILE).exists()
    done = kiosk(data, "set-pin", stdin=f"{PIN}\n")
    assert done.returncode == 0, done.stderr
    assert PIN not in done.stdout + done.stderr
    wrong = kiosk(data, "check-pin", "--json", stdin="480918\n")
    assert wrong.returncode == 1 and json.loads(wrong.stdout) == {"outcome": "rejected", "failures": 1,
                                                                 "retry_after_s": 0.0}
    assert json.loads(kiosk(data, "status").stdout)["failures"] == 1  # persisted across processes
    assert kiosk(data, "check-pin", stdin=f"{PIN}\n").returncode == 0
    events = [json.loads(line)["event"] for line in (data / "logs" / "kiosk.jsonl").read_text().splitlines()]
    assert events.count("technician-pin-set") == 1 and events.count("technician-pin-checked") == 3
    assert PIN not in (data / "logs" / "kiosk.jsonl").read_text()


def test_tries_at_the_same_moment_are_all_counted(tmp_path):
    """The shell and a CLI trying at once: each try is counted, none overwrites another's count."""
    from concurrent.futures import ThreadPoolExecutor

    TechnicianPin(tmp_path).set_pin(PIN)
    policy = LockoutPolicy(free_attempts=100)
    with ThreadPoolExecutor(max_workers=4) as pool:
        verdicts = list(pool.map(lambda _: TechnicianPin(tmp_path, policy).verify("000001"), range(8)))
    assert sorted(v.failures for v in verdicts) == list(range(1, 9))
