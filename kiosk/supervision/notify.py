"""systemd's service notification protocol (sd_notify(3), sd_watchdog_enabled(3)) without libsystemd.

A service started with `Type=notify` tells its manager that start-up is complete (`READY=1`), what it is doing
(`STATUS=...`) and, with `WatchdogSec=`, that it is still alive (`WATCHDOG=1`). Per the man pages:

- each notification is one datagram whose payload is newline-separated `VARIABLE=VALUE` assignments, sent to the
  AF_UNIX socket named in `$NOTIFY_SOCKET`; a name starting with `/` is a file-system path, one starting with
  `@` a Linux abstract-namespace name (the `@` stands for the leading NUL byte). When `$NOTIFY_SOCKET` is
  unset the service is not supervised and every call is a no-op;
- the manager expects keep-alives from this process when `$WATCHDOG_USEC` is set and `$WATCHDOG_PID` is unset
  or equal to this process's PID (so children that inherit the environment do not think the watchdog is
  theirs); a keep-alive every half of `$WATCHDOG_USEC` is recommended.

The manager learns the sender's PID from the kernel (SCM_CREDENTIALS on its socket), so nothing here forges or
adds credentials. Nothing here imports Qt: the shell's timer glue lives in kiosk/ui/watchdog.py.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Self

from kiosk.errors import KioskError

# sizeof(struct sockaddr_un.sun_path) on Linux.
SUN_PATH_MAX = 108
# systemd reads notifications into a PIPE_BUF-sized buffer and drops longer datagrams (src/core/manager.c).
MESSAGE_MAX_BYTES = 4096
STATUS_MAX_CHARS = 200


class SupervisionError(KioskError):
    """The service manager's environment or the notification channel is not usable."""


class NotifyEnvironmentInvalid(SupervisionError):
    """$NOTIFY_SOCKET, $WATCHDOG_USEC or $WATCHDOG_PID holds a value the protocol does not allow."""


class NotifyMessageInvalid(SupervisionError):
    """A notification that the manager would misread or drop (bad name, newline in a value, too long)."""


class NotifySendFailed(SupervisionError):
    """The datagram could not be delivered (socket gone, queue full); `errno` says why."""

    def __init__(self, detail: str, errno: int | None = None) -> None:
        super().__init__(detail)
        self.errno = errno


@dataclass(frozen=True)
class NotifyAddress:
    """Where notifications go: `text` as given in $NOTIFY_SOCKET, `sockaddr` as the kernel wants it."""

    text: str
    sockaddr: bytes

    @property
    def abstract(self) -> bool:
        return self.sockaddr.startswith(b"\0")


def parse_notify_socket(value: str) -> NotifyAddress:
    """The AF_UNIX address named by a $NOTIFY_SOCKET value.

    Raises NotifyEnvironmentInvalid for a value that is neither an absolute path nor `@name`, or that does not
    fit in sun_path (the man page's reference implementation refuses the same).
    """
    if value.startswith("vsock:"):
        raise NotifyEnvironmentInvalid(f"NOTIFY_SOCKET={value!r}: AF_VSOCK addresses are not supported, "
                                       "only AF_UNIX paths and @abstract names")
    if not value.startswith(("/", "@")):
        raise NotifyEnvironmentInvalid(f"NOTIFY_SOCKET={value!r}: must be an absolute path or start with '@'")
    raw = os.fsencode(value)
    if len(raw) < 2:
        raise NotifyEnvironmentInvalid(f"NOTIFY_SOCKET={value!r}: no socket name")
    if b"\0" in raw:
        raise NotifyEnvironmentInvalid("NOTIFY_SOCKET contains a NUL byte")
    # A path needs room for its terminating NUL; an abstract name's NUL replaces the '@', so both are < 108.
    if len(raw) >= SUN_PATH_MAX:
        raise NotifyEnvironmentInvalid(f"NOTIFY_SOCKET is {len(raw)} bytes long, at most {SUN_PATH_MAX - 1} fit")
    return NotifyAddress(value, b"\0" + raw[1:] if raw.startswith(b"@") else raw)


def watchdog_usec(environ: Mapping[str, str], pid: int) -> int | None:
    """The watchdog timeout the manager expects this process (`pid`) to honour, in µs; None when it expects
    no keep-alives from it (sd_watchdog_enabled(3) semantics).

    Raises NotifyEnvironmentInvalid when WATCHDOG_USEC is not a positive integer or WATCHDOG_PID not a PID.
    """
    raw_usec = environ.get("WATCHDOG_USEC")
    if raw_usec is None:
        return None
    raw_pid = environ.get("WATCHDOG_PID")
    if raw_pid is not None:
        if not raw_pid.isdecimal() or int(raw_pid) <= 0:
            raise NotifyEnvironmentInvalid(f"WATCHDOG_PID={raw_pid!r} is not a process id")
        if int(raw_pid) != pid:
            return None  # inherited from the process the manager started: the watchdog is not ours
    if not raw_usec.isdecimal():
        raise NotifyEnvironmentInvalid(f"WATCHDOG_USEC={raw_usec!r} is not a number of microseconds")
    usec = int(raw_usec)
    if usec == 0 or usec >= 2**64 - 1:  # 0 and USEC_INFINITY are "not set" to systemd, so invalid here
        raise NotifyEnvironmentInvalid(f"WATCHDOG_USEC={raw_usec!r} is not a usable timeout")
    return usec


def format_message(assignments: Mapping[str, str]) -> bytes:
    """One datagram's payload: `NAME=VALUE` lines. Raises NotifyMessageInvalid for what the manager would
    split wrongly (newline or NUL in a value, '=' in a name) or drop (empty, over MESSAGE_MAX_BYTES)."""
    if not assignments:
        raise NotifyMessageInvalid("a notification needs at least one assignment")
    lines = []
    for name, value in assignments.items():
        if not name or any(c in name for c in "=\n\0"):
            raise NotifyMessageInvalid(f"bad variable name {name!r}")
        if "\n" in value or "\0" in value:
            raise NotifyMessageInvalid(f"{name}: a value cannot hold a newline or NUL")
        lines.append(f"{name}={value}")
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    if len(payload) > MESSAGE_MAX_BYTES:
        raise NotifyMessageInvalid(f"notification of {len(payload)} bytes exceeds {MESSAGE_MAX_BYTES}")
    return payload


def status_text(text: str) -> str:
    """A human status line for STATUS=: one line, short (it is shown by `systemctl status`)."""
    line = " ".join(text.split())
    return line if len(line) <= STATUS_MAX_CHARS else line[:STATUS_MAX_CHARS - 1] + "…"


class ServiceNotifier:
    """Sends notifications to the service manager; every method is a no-op when `address` is None.

    Each datagram is addressed with sendto() rather than through a connected socket, so a manager that
    re-created its socket (daemon-reexec) is reached again at the next message. Sends never block
    (MSG_DONTWAIT): the shell sends from its GUI thread, which must not wait on a full queue.
    """

    def __init__(self, address: NotifyAddress | None) -> None:
        self.address = address
        self._sock: socket.socket | None = None
        if address is not None:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ServiceNotifier:
        """The notifier $NOTIFY_SOCKET asks for (a no-op one when unset). Raises NotifyEnvironmentInvalid."""
        value = environ.get("NOTIFY_SOCKET")
        return cls(None if value is None else parse_notify_socket(value))

    @property
    def enabled(self) -> bool:
        return self._sock is not None

    def send(self, assignments: Mapping[str, str]) -> bool:
        """Send one notification; False when not supervised. Raises NotifyMessageInvalid, NotifySendFailed."""
        payload = format_message(assignments)
        if self._sock is None or self.address is None:
            return False
        try:
            self._sock.sendto(payload, socket.MSG_DONTWAIT | socket.MSG_NOSIGNAL, self.address.sockaddr)
        except OSError as exc:
            raise NotifySendFailed(f"notification to {self.address.text} failed: {exc.strerror or exc}",
                                   exc.errno) from exc
        return True

    def ready(self, status: str | None = None, main_pid: int | None = None) -> bool:
        """READY=1; with `main_pid`, also MAINPID= (the manager then signals that process on stop: for a
        process the manager did not start itself, e.g. a compositor's client; needs NotifyAccess=all)."""
        fields = {"READY": "1"}
        if main_pid is not None:
            fields["MAINPID"] = str(main_pid)
        if status:
            fields["STATUS"] = status_text(status)
        return self.send(fields)

    def watchdog(self) -> bool:
        return self.send({"WATCHDOG": "1"})

    def status(self, text: str) -> bool:
        return self.send({"STATUS": status_text(text)})

    def stopping(self, status: str | None = None) -> bool:
        fields = {"STOPPING": "1"}
        if status:
            fields["STATUS"] = status_text(status)
        return self.send(fields)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Supervision:
    """What the service manager asked of this process: where to notify, and how often to prove it is alive."""

    notifier: ServiceNotifier
    watchdog_usec: int | None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], pid: int) -> Supervision:
        """Read $NOTIFY_SOCKET, $WATCHDOG_USEC, $WATCHDOG_PID. Raises NotifyEnvironmentInvalid."""
        usec = watchdog_usec(environ, pid)
        return cls(ServiceNotifier.from_environment(environ), usec)

    @property
    def ping_interval_s(self) -> float | None:
        """Half the watchdog timeout (the man page's recommendation); None when no keep-alives are expected."""
        if self.watchdog_usec is None or not self.notifier.enabled:
            return None
        return self.watchdog_usec / 2 / 1_000_000


class LoopWatchdog:
    """Keep-alives for a polling loop: call it on every pass. The first call sends READY=1 (the loop is
    running), later calls send WATCHDOG=1 once `interval_s` has passed since the last one. The loop must pass
    at least every `max_sleep_s` (a quarter of the interval, so the keep-alives come every 1 to 1.25
    intervals, well inside the manager's timeout of two), and a loop stuck anywhere stops them.

    A failed send is handed to `on_error` (once per run of failures, not at every pass) and retried at the
    next pass: losing one keep-alive must not stop the loop, and the next one may get through.
    """

    def __init__(self, supervision: Supervision, ready_status: str = "",
                 on_error: Callable[[SupervisionError], None] = lambda _exc: None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._notifier = supervision.notifier
        self.interval_s = supervision.ping_interval_s
        self._ready_status = ready_status
        self._on_error = on_error
        self._clock = clock
        self._ready = False
        self._failing = False
        self._last_ping: float | None = None

    @property
    def max_sleep_s(self) -> float | None:
        """The longest the loop may sleep between passes (None: no watchdog)."""
        return None if self.interval_s is None else self.interval_s / 4

    def __call__(self) -> None:
        if not self._notifier.enabled:
            return
        now = self._clock()
        try:
            if not self._ready:
                self._notifier.ready(self._ready_status or None)
                self._ready = True
                self._last_ping = now  # start-up is complete: the manager arms its watchdog now
                return
            due = self._last_ping is None or now - self._last_ping >= (self.interval_s or 0.0)
            if self.interval_s is not None and due:
                self._notifier.watchdog()
                self._last_ping = now
        except SupervisionError as exc:
            if not self._failing:
                self._on_error(exc)
            self._failing = True
            return
        self._failing = False
