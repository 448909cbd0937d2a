"""A throwaway PostgreSQL cluster on a private port and data folder, for the tests and benchmarks.

Uses Debian's server binaries (/usr/lib/postgresql/<ver>/bin). PostgreSQL refuses to run as root, so when we
are root (CI) the cluster runs as the `postgres` system user through runuser; otherwise as ourselves.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(Exception):
    pass


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin holding initdb and postgres, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                        if Path(p).parent.name.isdigit() else 0)
    for path in reversed(candidates):
        if (Path(path) / "initdb").exists() and (Path(path) / "postgres").exists():
            return Path(path)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    """initdb + postgres in a temporary folder; `url(dbname)` for SQLAlchemy; `stop()` removes everything."""

    def __init__(self, durable: bool = False) -> None:
        self.bindir = find_bindir()
        if self.bindir is None:
            raise PostgresUnavailable("no PostgreSQL server binaries under /usr/lib/postgresql")
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self._durable = durable
        self._proc: subprocess.Popen | None = None
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable("running as root and there is no `postgres` user") from exc
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._prefix = ["runuser", "-u", "postgres", "--"]

    def _run(self, *cmd: str) -> None:
        done = subprocess.run([*self._prefix, *cmd], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-500:]}")

    def start(self) -> PrivatePostgres:
        data = self.root / "data"
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync")
        options = ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.root}",
                   "-c", "max_connections=300", "-c", "shared_buffers=64MB"]
        if not self._durable:  # tests: no fsync; benchmarks keep PostgreSQL's durable defaults
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        self._proc = subprocess.Popen([*self._prefix, str(self.bindir / "postgres"), "-D", str(data),
                                       "-p", str(self.port), *options],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise PostgresUnavailable(f"postgres exited: {self._proc.stderr.read().decode()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                import psycopg

                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return self
            except Exception:  # noqa: BLE001 - not accepting connections yet
                time.sleep(0.2)
        self.stop()
        raise PostgresUnavailable("postgres did not start within 30 s")

    def dsn(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3) of database `dbname`."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, dbname: str) -> str:
        """CREATE DATABASE `dbname`; returns its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        return self.url(dbname)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            # Fast shutdown (disconnect clients, checkpoint); pg_ctl signals the server itself, as runuser
            # does not pass SIGINT on.
            subprocess.run([*self._prefix, str(self.bindir / "pg_ctl"), "stop", "-D", str(self.root / "data"),
                            "-m", "fast", "-w", "-t", "20"], capture_output=True, timeout=30)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc is not None and self._proc.stderr is not None:
            self._proc.stderr.close()
        self._proc = None
        shutil.rmtree(self.root, ignore_errors=True)
