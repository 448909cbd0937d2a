"""A stand-in for systemd's end of the notify protocol: an AF_UNIX datagram socket the test binds itself.

Like the service manager, it turns on SO_PASSCRED, so the kernel attaches the sender's PID to every datagram
(SCM_CREDENTIALS): the tests can tell which process sent a keep-alive without trusting the message.
"""

from __future__ import annotations

import itertools
import os
import select
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Self

_UCRED = struct.Struct("iII")  # struct ucred {pid_t pid; uid_t uid; gid_t gid;}


@dataclass(frozen=True)
class Notification:
    at: float  # time.monotonic() when the test read it
    pid: int | None  # the sender, from the kernel
    raw: bytes

    @property
    def fields(self) -> dict[str, str]:
        text = self.raw.decode("utf-8")
        return dict(line.split("=", 1) for line in text.split("\n") if line)


class NotifyListener:
    """Binds `address` ("/path" or "@abstract-name") and records every datagram on a background thread."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self._sock.bind("\0" + address[1:] if address.startswith("@") else address)
        self._lock = threading.Lock()
        self._received: list[Notification] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    @classmethod
    def at_path(cls, folder: Path) -> NotifyListener:
        return cls(str(folder / "notify.sock"))

    @classmethod
    def abstract(cls) -> NotifyListener:
        return cls(f"@kiosk-test/notify-{os.getpid()}-{uuid.uuid4().hex[:12]}")

    def environment(self, watchdog_usec: int | None = None) -> dict[str, str]:
        env = {"NOTIFY_SOCKET": self.address}
        if watchdog_usec is not None:
            env["WATCHDOG_USEC"] = str(watchdog_usec)
        return env

    def _read(self) -> None:
        space = socket.CMSG_SPACE(_UCRED.size)
        while not self._stop.is_set():
            ready, _, _ = select.select([self._sock], [], [], 0.1)
            if not ready:
                continue
            raw, ancillary, _flags, _addr = self._sock.recvmsg(8192, space)
            pid = None
            for level, kind, data in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = _UCRED.unpack(data[:_UCRED.size])[0]
            with self._lock:
                self._received.append(Notification(time.monotonic(), pid, raw))

    def received(self) -> list[Notification]:
        with self._lock:
            return list(self._received)

    def wait_for(self, predicate: Callable[[Notification], bool], timeout_s: float,
                 after: float = 0.0) -> Notification:
        """The first notification (arrived after `after`) matching `predicate`; AssertionError on timeout."""
        deadline = time.monotonic() + timeout_s
        while True:
            for n in self.received():
                if n.at > after and predicate(n):
                    return n
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching notification within {timeout_s} s; got "
                                     f"{[n.raw for n in self.received()]}")
            time.sleep(0.02)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()
        if not self.address.startswith("@"):
            Path(self.address).unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_ping(n: Notification) -> bool:
    return n.fields.get("WATCHDOG") == "1"


def is_ready(n: Notification) -> bool:
    return n.fields.get("READY") == "1"


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]
