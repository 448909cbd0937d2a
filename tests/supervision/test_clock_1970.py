"""The real shell (`kiosk run`) on a terminal whose clock restarted in 1970: a flat RTC battery, and no NTP answer
yet. libfaketime (LD_PRELOAD) sets the clock of the whole process, Qt, SQLite and Python alike, from a file the
test rewrites as NTP would set the clock right. The shell comes up (READY=1), journals `clock-wrong` for the
heartbeat instead of stamping transactions in 1970, stays up, and serves again by itself once the clock is right.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.store.service_journal import ServiceJournal
from tests.supervision.notify_listener import NotifyListener, is_ready
from tests.supervision.test_shell_watchdog import clean_environment, start_shell, stop

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


def _changes(data: Path) -> list[tuple[str, str]]:
    try:
        return [(e["condition"], e["change"]) for e in ServiceJournal(data).read()["events"]]
    except (OSError, ValueError):
        return []


def _wait(predicate, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_a_shell_started_with_its_clock_in_1970_is_out_of_service_until_the_clock_is_set_right(tmp_path: Path):
    if not LIBFAKETIME.exists():
        pytest.skip("libfaketime is not installed (scripts/bootstrap.sh installs the faketime package)")
    clock = tmp_path / "clock"
    clock.write_text("@1970-01-02 03:04:05\n")  # a clock that starts there and runs on
    data = tmp_path / "data"
    with NotifyListener.at_path(tmp_path) as listener:
        env = clean_environment(QT_QPA_PLATFORM="offscreen", LD_PRELOAD=str(LIBFAKETIME),
                                FAKETIME_TIMESTAMP_FILE=str(clock), FAKETIME_CACHE_DURATION="1",
                                DONT_FAKE_MONOTONIC="1",  # timers and timeouts keep real time, as on a kiosk
                                **listener.environment())
        shell = start_shell(tmp_path, env, "--windowed")
        try:
            listener.wait_for(is_ready, 90)  # up: a kiosk safely out of service is not restarted
            _wait(lambda: ("clock-wrong", "raised") in _changes(data), 30, "clock-wrong raised")
            events = ServiceJournal(data).read()["events"]
            assert events[0]["at"].startswith("1970-01-02"), "the process really ran in 1970"
            assert shell.poll() is None

            clock.write_text("+0\n")  # NTP answers: the real time
            _wait(lambda: ("clock-wrong", "cleared") in _changes(data), 60, "clock-wrong cleared")
            assert shell.poll() is None, "the same process serves again: nothing restarted it"
            assert _changes(data) == [("clock-wrong", "raised"), ("clock-wrong", "cleared")]
        finally:
            assert stop(shell) == 0
