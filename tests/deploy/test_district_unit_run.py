"""kiosk-district.service's command line, with its settings file, against a real PostgreSQL, the way
deploy/README.md sets it up: catalog init, then the server with its uvicorn workers, reached over
PostgreSQL's Unix socket as in the shipped DISTRICT_DB; an operator adds a kiosk; SIGTERM stops it in time.
(Publishing a catalog is left to tests/sync: it changes nothing in how the unit runs.)"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.deploy.test_units import INSTALLED_BIN, parse_unit
from tests.sync.district_process import free_port
from tests.sync.private_postgres import PostgresUnavailable, PrivatePostgres

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "systemd" / "kiosk-district.service"
ENV_FILE = REPO / "deploy" / "kiosk-district" / "district.env"
INSTALLED_KEYS = "/var/lib/kiosk-district/keys"


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except (OSError, ValueError):
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def test_district_unit_serves_with_its_workers_on_postgresql(tmp_path: Path):
    try:
        pg = PrivatePostgres().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is installed by scripts/bootstrap.sh but did not start: {exc}")
    try:
        pg.create_database("district")
        settings = dict(line.split("=", 1) for line in ENV_FILE.read_text(encoding="utf-8").splitlines()
                        if line and not line.startswith("#"))
        # The shipped form (peer authentication over the local socket), pointed at the private cluster's socket.
        assert re.fullmatch(r"postgresql://kiosk-district@/district\?host=/run/postgresql", settings["DISTRICT_DB"])
        settings["DISTRICT_DB"] = f"postgresql://postgres@/district?host={pg.root}&port={pg.port}"
        settings["DISTRICT_PORT"] = str(free_port())
        keys = tmp_path / "keys"
        bin_dir = Path(sys.executable).parent

        def installed(token: str) -> str:
            return str(bin_dir / token.removeprefix(INSTALLED_BIN)) if token.startswith(INSTALLED_BIN) else (
                str(keys) if token == INSTALLED_KEYS else token)

        admin = [str(bin_dir / "kiosk-district")]
        db = ["--db", settings["DISTRICT_DB"]]
        subprocess.run([*admin, "catalog", "init", *db, "--keys", str(keys)], check=True, capture_output=True,
                       timeout=120)

        exec_start = parse_unit(UNIT)["Service"]["ExecStart"][0]
        command = [installed(t) for t in shlex.split(re.sub(r"\$\{(\w+)\}", lambda m: settings[m.group(1)],
                                                            exec_start))]
        server = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                  stderr=(tmp_path / "district.stderr").open("wb"), start_new_session=True)
        try:
            url = f"http://{settings['DISTRICT_HOST']}:{settings['DISTRICT_PORT']}/api/v1/health"
            deadline = time.monotonic() + 60
            started = time.monotonic()
            while True:
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        print(f"district answered after {time.monotonic() - started:.1f} s")
                        break
                except httpx.HTTPError:
                    pass
                assert server.poll() is None, (tmp_path / "district.stderr").read_text()[-3000:]
                assert time.monotonic() < deadline, "the district server never answered"
                time.sleep(0.3)
            deadline = time.monotonic() + 30  # uvicorn's supervisor starts the workers one by one
            while len(children(server.pid)) < int(settings["DISTRICT_WORKERS"]) and time.monotonic() < deadline:
                time.sleep(0.3)
            assert len(children(server.pid)) >= int(settings["DISTRICT_WORKERS"])
            added = subprocess.run([*admin, "kiosk", "add", "sc-example-01", *db], capture_output=True, text=True,
                                   check=True, timeout=60)
            assert len(added.stdout.strip()) >= 20  # the one-time enrollment token
            server.send_signal(signal.SIGTERM)  # systemctl stop
            timeout = parse_unit(UNIT)["Service"]["TimeoutStopSec"][0]
            assert server.wait(timeout=int(timeout.removesuffix("s"))) == 0
        finally:
            with contextlib.suppress(ProcessLookupError):  # the workers too, as systemd would
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    finally:
        pg.stop()
