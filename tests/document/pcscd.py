"""A private pcscd for tests and the benchmark: its own socket, its own vpcd ports, started in the foreground.

pcscd 1.9.9 always puts its socket in /run/pcscd (compile-time path; only the client library honours
PCSCLITE_CSOCK_NAME), so the daemon runs in a private mount namespace (`unshare -m`) where a private folder is
bind-mounted over /run/pcscd. Clients in this process find it through PCSCLITE_CSOCK_NAME, which libpcsclite
reads once, at the first PC/SC call of the process: set it (`use_socket`) before touching pyscard.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


def free_port_pair() -> int:
    """A port p with p and p+1 free on 127.0.0.1 (vpcd opens one port per slot, two slots)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 65000:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("0.0.0.0", port))
                b.bind(("0.0.0.0", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair")


class Pcscd:
    """One private pcscd with the vpcd driver; `stop()`/`start()` simulate pulling and re-plugging the reader."""

    def __init__(self, root: Path | None = None, port: int | None = None) -> None:
        self.root = Path(root or tempfile.mkdtemp(prefix="kiosk-pcscd-"))
        self.run_dir = self.root / "run"
        self.conf_dir = self.root / "reader.conf.d"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port_pair()
        (self.conf_dir / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:{self.port}\n'
            f"LIBPATH      {VPCD_DRIVER}\nCHANNELID    {self.port}\n")
        self.socket = self.run_dir / "pcscd.comm"
        self.log_path = self.root / "pcscd.log"
        self._proc: subprocess.Popen | None = None
        self.readers = ("Virtual PCD 00 00", "Virtual PCD 00 01")

    def env(self) -> dict[str, str]:
        """Environment for client processes (the CLI under test)."""
        return {**os.environ, "PCSCLITE_CSOCK_NAME": str(self.socket)}

    def use_socket(self) -> None:
        """Point this process's libpcsclite at the private daemon (before the first PC/SC call)."""
        os.environ["PCSCLITE_CSOCK_NAME"] = str(self.socket)

    def start(self, timeout: float = 10.0) -> None:
        if shutil.which("pcscd") is None or not VPCD_DRIVER.exists():
            raise RuntimeError("pcscd and vsmartcard-vpcd must be installed (scripts/bootstrap.sh)")
        if self._proc is not None and self._proc.poll() is None:
            return
        for stale in self.run_dir.iterdir():
            stale.unlink()
        cmd = ["unshare", "-m", "sh", "-c",
               f'mkdir -p /run/pcscd && mount --bind "{self.run_dir}" /run/pcscd '
               f'&& exec pcscd -f -c "{self.conf_dir}"']
        log = open(self.log_path, "ab")
        self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"pcscd exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            if self.socket.exists() and self._vpcd_listening():
                return
            time.sleep(0.02)
        raise RuntimeError("pcscd did not come up")

    def _vpcd_listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port + 1), timeout=0.2):
                return True  # slot 1 accepted (and at once lost) a probe connection; slot 0 stays untouched
        except OSError:
            return False

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
