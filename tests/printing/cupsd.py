"""A private cupsd for the printing tests: own port, socket, spool, log, cache and ServerBin folders.

ServerBin is a folder of symlinks to Debian's CUPS programs plus one test backend, `kiosk-paperout`, that
reports `media-empty-error` the way a real printer driver does and waits, so out-of-paper is detected through
CUPS's own printer-state-reasons. Clients reach it with CUPS_SERVER=<root>/cups.sock.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

SYSTEM_SERVERBIN = Path("/usr/lib/cups")
PAPEROUT_BACKEND = """#!/bin/sh
# Test backend: a printer that is out of paper. Without arguments CUPS asks for device discovery: list nothing.
[ $# -eq 0 ] && exit 0
cat > /dev/null
echo "STATE: +media-empty-error" >&2
echo "ERROR: Out of paper" >&2
sleep 60
exit 1
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateCupsd:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.socket_path = root / "cups.sock"
        self.proc: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket_path)}

    def start(self) -> None:
        r = self.root
        for d in ("spool/tmp", "cache", "state", "log", "ssl", "serverbin/backend"):
            (r / d).mkdir(parents=True, exist_ok=True)
        os.chmod(r / "spool", 0o755)
        for entry in SYSTEM_SERVERBIN.iterdir():
            if entry.name != "backend":
                (r / "serverbin" / entry.name).symlink_to(entry)
        for backend in (SYSTEM_SERVERBIN / "backend").iterdir():
            (r / "serverbin" / "backend" / backend.name).symlink_to(backend)
        paperout = r / "serverbin" / "backend" / "kiosk-paperout"
        paperout.write_text(PAPEROUT_BACKEND)
        os.chmod(paperout, 0o755)
        (r / "cupsd.conf").write_text(f"""LogLevel debug
Listen 127.0.0.1:{self.port}
Listen {self.socket_path}
WebInterface No
Browsing No
DefaultAuthType None
JobRetryInterval 1
MaxJobTime 120
PreserveJobFiles No
PreserveJobHistory 1h
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
""")
        (r / "cups-files.conf").write_text(f"""ServerRoot {r}
ServerBin {r}/serverbin
RequestRoot {r}/spool
TempDir {r}/spool/tmp
CacheDir {r}/cache
StateDir {r}/state
AccessLog {r}/log/access_log
ErrorLog {r}/log/error_log
PageLog {r}/log/page_log
ServerKeychain {r}/ssl
SystemGroup root
Sandboxing Relaxed
""")
        self.proc = subprocess.Popen(["cupsd", "-f", "-c", str(r / "cupsd.conf"), "-s", str(r / "cups-files.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cupsd exited: {self.proc.stderr.read().decode()}")
            if self.socket_path.exists() and self._answers():
                return
            time.sleep(0.05)
        raise RuntimeError("cupsd did not start within 10 s")

    def _answers(self) -> bool:
        done = subprocess.run(["lpstat", "-r"], env=self.env, capture_output=True, text=True)
        return "is running" in done.stdout

    def lp(self, *args: str) -> subprocess.CompletedProcess:
        """Run a CUPS admin command (lpadmin, cupsenable, ...) against this cupsd; raise on failure."""
        done = subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: {done.stderr}")
        return done

    def error_log(self) -> str:
        return (self.root / "log" / "error_log").read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class SocketListener:
    """A raw 'network printer' on 127.0.0.1: collects every connection's bytes (one job per connection)."""

    def __init__(self, port: int = 0) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.jobs: list[bytes] = []
        self.received = threading.Condition()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                chunks = []
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    chunks.append(data)
            with self.received:
                self.jobs.append(b"".join(chunks))
                self.received.notify_all()

    def wait_jobs(self, n: int, timeout: float = 20.0) -> list[bytes]:
        with self.received:
            self.received.wait_for(lambda: len(self.jobs) >= n, timeout=timeout)
            return list(self.jobs)

    def close(self) -> None:
        self.sock.close()
