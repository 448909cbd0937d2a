"""The health gate of an update: does the new version reach READY=1 within its time?

READY=1 is what the shell sends once the attract screen is drawn (kiosk/ui/watchdog.py): a version that crashes,
hangs at start, cannot open its database or draw its window never sends it. Two gates:

- `SystemdUnitGate` (production): restarts the unit and watches its state. A `Type=notify` unit stays
  "activating" until READY=1 and only then becomes "active"; a crash loop shows "activating (auto-restart)"
  or "failed". The manager owns the notify socket, so this is how the installer learns about READY=1.
- `NotifySocketGate`: starts the version's command itself with `NOTIFY_SOCKET` on a datagram socket the gate
  binds, as systemd does, and waits for READY=1 from it. For machines without systemd as PID 1, for a trial
  start before switching, and for the tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class GateResult:
    ready: bool
    waited_s: float
    detail: str


class ReadyGate(Protocol):
    def start_and_wait(self, timeout_s: float) -> GateResult:
        """Start the version now live and wait at most `timeout_s` for READY=1."""
        ...


class NotifySocketGate:
    """Runs `command` with its own notify socket. On READY=1 the process keeps running (it is the service now)
    unless `stop_after` (a trial start); without it in time, the process group is stopped (TERM, then KILL)."""

    def __init__(self, command: list[str], cwd: Path | None = None, env: Mapping[str, str] | None = None,
                 stop_after: bool = False) -> None:
        self._command = command
        self._cwd = cwd
        self._env = dict(env if env is not None else os.environ)
        self._stop_after = stop_after
        self.process: subprocess.Popen[bytes] | None = None

    def start_and_wait(self, timeout_s: float) -> GateResult:
        folder = Path(tempfile.mkdtemp(prefix="kiosk-gate-"))
        path = folder / "notify"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        started = time.monotonic()
        try:
            sock.bind(str(path))
            env = {**self._env, "NOTIFY_SOCKET": str(path)}
            env.pop("WATCHDOG_USEC", None)
            env.pop("WATCHDOG_PID", None)
            self.process = subprocess.Popen(self._command, cwd=self._cwd, env=env, start_new_session=True,
                                            stdin=subprocess.DEVNULL)
            ready, detail = self._wait(sock, started + timeout_s)
            waited = time.monotonic() - started
            if not ready or self._stop_after:
                self.stop()
            return GateResult(ready, waited, detail)
        finally:
            sock.close()
            shutil.rmtree(folder, ignore_errors=True)

    def _wait(self, sock: socket.socket, deadline: float) -> tuple[bool, str]:
        assert self.process is not None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False, "no READY=1 before the deadline"
            code = self.process.poll()
            if code is not None:
                return False, f"exited with status {code} before READY=1"
            sock.settimeout(min(0.2, left))
            try:
                data = sock.recv(4096)
            except TimeoutError:
                continue
            lines = data.decode("utf-8", "replace").splitlines()
            if "READY=1" in lines:
                return True, "READY=1"

    def stop(self, grace_s: float = 10.0) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=grace_s)
        except ProcessLookupError:
            pass


def parse_unit_state(show_output: str) -> dict[str, str]:
    """`systemctl show -p ActiveState,SubState,Result UNIT` output as a dict."""
    state = {}
    for line in show_output.splitlines():
        name, _, value = line.partition("=")
        if name:
            state[name.strip()] = value.strip()
    return state


class SystemdUnitGate:
    """`systemctl restart --no-block UNIT`, then `systemctl show` every `poll_s` until the unit is active and
    running (READY=1 reached it), failed, or the time is up."""

    def __init__(self, unit: str, systemctl: str = "systemctl", poll_s: float = 1.0) -> None:
        self._unit = unit
        self._systemctl = systemctl
        self._poll = poll_s

    def _run(self, *args: str) -> str:
        done = subprocess.run([self._systemctl, *args], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise OSError(f"{self._systemctl} {' '.join(args)}: {done.stderr.strip() or done.returncode}")
        return done.stdout

    def start_and_wait(self, timeout_s: float) -> GateResult:
        started = time.monotonic()
        try:
            self._run("reset-failed", self._unit)
            self._run("restart", "--no-block", self._unit)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return GateResult(False, time.monotonic() - started, f"could not restart {self._unit}: {exc}")
        last: dict[str, str] = {}
        while time.monotonic() - started < timeout_s:
            time.sleep(self._poll)
            try:
                last = parse_unit_state(self._run("show", "-p", "ActiveState,SubState,Result", self._unit))
            except (OSError, subprocess.TimeoutExpired):
                continue
            if last.get("ActiveState") == "active" and last.get("SubState") == "running":
                return GateResult(True, time.monotonic() - started, "active (running): READY=1 reached systemd")
            if last.get("ActiveState") == "failed":
                break
        return GateResult(False, time.monotonic() - started, f"{self._unit} not ready: {last or 'no state'}")
